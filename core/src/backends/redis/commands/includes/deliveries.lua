--[[
  The Lua mirror of core/src/deliveries.ts: a conversation's newest delivery ids, oldest
  first, as fixed-width binary entries of 16 bytes (struct, big-endian):
    fingerprint I6 | firstSeenAt I6 (ms) | ordinal I4 (0: the delivery was counted nowhere)
  The fingerprint is a 41-bit hash of the platform's id, sent by the caller as 8 base-36
  digits (deliveryKey packs it), enough inside one conversation. Fixed width: the count is the
  length / 16, the oldest entry is the first 16 bytes, and a search is a plain find checked
  for alignment. 16 bytes an id, where the text form took 25: this list is most of a record.
]]
local MAX_DELIVERIES, ENTRY = 32, 16

-- The caller's fingerprint as the 6 bytes an entry starts with, or '' for none.
local function deliveryKey(fp)
  if fp == '' then return '' end
  return struct.pack('>I6', tonumber(fp, 36))
end

-- Where the entry of `key` starts in `list`, or nil.
local function deliveryAt(list, key)
  local from = 1
  while true do
    local at = string.find(list, key, from, true)
    if not at then return nil end
    if (at - 1) % ENTRY == 0 then return at end
    from = at + 1
  end
end

-- The ordinal the delivery acted on ('' for nowhere), or nil when it is new (or past the window).
local function findDelivery(list, key, now, windowMs)
  local at = deliveryAt(list, key)
  if not at then return nil end
  local seen, ordinal = struct.unpack('>I6I4', list, at + 6)
  if now - seen < windowMs then return ordinal == 0 and '' or string.format('%d', ordinal) end
  return nil
end

local function rememberDelivery(list, key, now, windowMs, ordinal)
  local at = deliveryAt(list, key)
  if at then list = string.sub(list, 1, at - 1) .. string.sub(list, at + ENTRY) end
  list = list .. key .. struct.pack('>I6I4', now, ordinal == '' and 0 or tonumber(ordinal))
  -- Oldest first: drop from the head what is past the window or beyond the newest 32.
  local count, drop = #list / ENTRY, 0
  while count - drop > 1 do
    if count - drop <= MAX_DELIVERIES and now - struct.unpack('>I6', list, drop * ENTRY + 7) < windowMs then break end
    drop = drop + 1
  end
  if drop > 0 then list = string.sub(list, drop * ENTRY + 1) end
  return list
end

-- A delivery counted nowhere, on a conversation with no live session: its memory keeps the id
-- (and is kept for the window), so that a repeat is still known.
local function rememberInMemory(conv, m, key, now, windowMs)
  m = m or { forgetAt = 0, previous = '', ordinal = '0', deliveries = '', snapshot = '' }
  m.deliveries = rememberDelivery(m.deliveries, key, now, windowMs, '')
  m.forgetAt = math.max(m.forgetAt, now + windowMs)
  redis.call('HSET', KEY_RECORDS, conv, encodeMemory(m))
  redis.call('ZADD', KEY_DEADLINES, m.forgetAt, conv)
end
