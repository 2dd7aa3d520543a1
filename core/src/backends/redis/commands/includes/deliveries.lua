--[[
  The Lua mirror of core/src/deliveries.ts: a conversation's newest delivery ids, as
  'fingerprint:firstSeenAt:ordinal' entries separated by ','. The fingerprint is 48 bits of
  SHA-1 of the platform's id (made by the caller), enough inside one conversation.
  ordinal '' : the delivery was counted nowhere.
]]
local MAX_DELIVERIES = 32

-- The ordinal the delivery acted on ('' for nowhere), or nil when it is new (or past the window).
local function findDelivery(list, fp, now, windowMs)
  for entry in string.gmatch(list, '[^,]+') do
    local f, at, ordinal = string.match(entry, '^([^:]*):(%d+):(.*)$')
    if f == fp then
      if now - tonumber(at) < windowMs then return ordinal end
      return nil
    end
  end
  return nil
end

local function rememberDelivery(list, fp, now, windowMs, ordinal)
  local kept = {}
  for entry in string.gmatch(list, '[^,]+') do
    local f, at = string.match(entry, '^([^:]*):(%d+):')
    if f ~= fp and now - tonumber(at) < windowMs then kept[#kept + 1] = entry end
  end
  kept[#kept + 1] = fp .. ':' .. string.format('%d', now) .. ':' .. ordinal
  local from = math.max(1, #kept - MAX_DELIVERIES + 1)
  return table.concat(kept, ',', from, #kept)
end
