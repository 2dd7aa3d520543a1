--[[
  The Lua mirror of core/src/deliveries.ts: a conversation's newest delivery ids, oldest
  first, as 'fingerprint:firstSeenAt:ordinal' entries separated by ','. The fingerprint is a
  41-bit hash of the platform's id, 8 base-36 digits (made by the caller), enough inside one conversation.
  ordinal '' : the delivery was counted nowhere. Plain-text finds, no pattern loops: this runs
  for every message that carries an id.
]]
local MAX_DELIVERIES = 32

-- Where the entry of `fp` starts in `list`, or nil (two plain finds; the list is not copied).
local function deliveryAt(list, fp)
  local head = fp .. ':'
  if string.sub(list, 1, #head) == head then return 1 end
  local at = string.find(list, ',' .. head, 1, true)
  return at and at + 1
end

-- The ordinal the delivery acted on ('' for nowhere), or nil when it is new (or past the window).
local function findDelivery(list, fp, now, windowMs)
  local at = deliveryAt(list, fp)
  if not at then return nil end
  local seen, ordinal = string.match(list, '^[^:]*:(%d+):([^,]*)', at)
  if now - tonumber(seen) < windowMs then return ordinal end
  return nil
end

-- `list` without the entry that starts at `at`.
local function withoutEntry(list, at)
  local stop = string.find(list, ',', at, true)
  if at == 1 then return stop and string.sub(list, stop + 1) or '' end
  return string.sub(list, 1, at - 2) .. (stop and string.sub(list, stop) or '')
end

local function rememberDelivery(list, fp, now, windowMs, ordinal)
  local at = deliveryAt(list, fp)
  if at then list = withoutEntry(list, at) end
  local entry = fp .. ':' .. string.format('%d', now) .. ':' .. ordinal
  list = list == '' and entry or list .. ',' .. entry
  local _, commas = string.gsub(list, ',', ',')
  local count = commas + 1
  -- Oldest first: drop from the head what is past the window or beyond the newest 32.
  while count > 1 do
    local seen = tonumber(string.match(list, '^[^:]*:(%d+)'))
    if count <= MAX_DELIVERIES and now - seen < windowMs then break end
    list = withoutEntry(list, 1)
    count = count - 1
  end
  return list
end
