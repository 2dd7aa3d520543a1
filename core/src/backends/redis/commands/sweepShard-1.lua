--[[
  One batch of a shard's expiry, run by the shard's BullMQ job: ends every live session
  whose deadline passed (dated to its deadline), moves deadlines that moved later (the lazy
  re-arm), forgets conversations past their memory, and hands back pending hooks whose
  lease ran out (their process died or timed out before acknowledging delivery).

  Input:
    KEYS[1] the shard's base key {<prefix>:<n>} (every key is named from it: includes/keys.lua)
    ARGV[1] '' (Redis's clock) or the tracker's now   ARGV[2] batch size
    ARGV[3] leaseMs: a pending hook older than this is taken over
    ARGV[4] logRetentionMs   ARGV[5] ledgerRetentionMs   ARGV[6] sliceMs
    ARGV[7] HSCAN cursor over pending ends   ARGV[8] HSCAN cursor over pending starts

  Output: { Redis's now, more ('1': a full batch, run again), when to sweep next or ''
            (the first deadline, or a pending hook's lease running out),
            { conv, snapshot, ... } ends to deliver, { conv, record or snapshot, ... } starts
            to deliver, next ends cursor, next starts cursor }
  Delivered hooks are acknowledged by the caller (HDEL of the starting / ending hashes).
]]
--- @include "keys"
--- @include "record"
--- @include "clock"
--- @include "deliveries"
--- @include "legacy"
--- @include "ledger"
--- @include "call"

beginCall(KEYS)

local now, real = clockOf(ARGV[1], '')
local batch, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
local opts = { logRetentionMs = tonumber(ARGV[4]), ledgerRetentionMs = tonumber(ARGV[5]) }
local ends, starts = {}, {}

startBatch()
local due = redis.call('ZRANGEBYSCORE', KEY_DEADLINES, '-inf', now, 'LIMIT', 0, batch)
for _, conv in ipairs(due) do
  local record = redis.call('HGET', KEY_RECORDS, conv)
  if not record then
    redis.call('ZREM', KEY_DEADLINES, conv)
  else
    local s, m = decodeRecord(record)
    if s and s.expiresAt <= now then
      local channel = string.match(conv, '^(.-)\31')
      ends[#ends + 1] = conv
      ends[#ends + 1] = retire(conv, channel, s, s.expiresAt, 'inactivity', now, opts)
    elseif s then
      redis.call('ZADD', KEY_DEADLINES, s.expiresAt, conv)
    elseif m.forgetAt <= now then
      redis.call('HDEL', KEY_RECORDS, conv)
      redis.call('ZREM', KEY_DEADLINES, conv)
    else
      redis.call('ZADD', KEY_DEADLINES, m.forgetAt, conv)
    end
  end
end

flushBatch()

local claim = string.format('%013d', now)
-- The earliest moment a pending hook seen here may be taken over: the sweep comes back then.
local recheckAt
local function pendingUntil(claimedAt)
  local at = claimedAt + lease
  if not recheckAt or at < recheckAt then recheckAt = at end
end
local scan = redis.call('HSCAN', KEY_ENDS, ARGV[7], 'COUNT', 200)
for i = 1, #scan[2], 2 do
  local id, value = scan[2][i], scan[2][i + 1]
  if tonumber(string.sub(value, 1, 13)) + lease <= real then
    local cut = string.find(value, '\30', 14, true)
    ends[#ends + 1] = string.sub(value, 14, cut - 1)
    ends[#ends + 1] = string.sub(value, cut + 1)
    redis.call('HSET', KEY_ENDS, id, claim .. string.sub(value, 14))
    pendingUntil(real)
  else
    pendingUntil(tonumber(string.sub(value, 1, 13)))
  end
end
local endsCursor = scan[1]

scan = redis.call('HSCAN', KEY_STARTS, ARGV[8], 'COUNT', 200)
for i = 1, #scan[2], 2 do
  local id, value = scan[2][i], scan[2][i + 1]
  if tonumber(string.sub(value, 1, 13)) + lease <= real then
    local conv = string.sub(value, 14)
    local payload
    local record = redis.call('HGET', KEY_RECORDS, conv)
    local s, m
    if record then s, m = decodeRecord(record) end
    if s and s.id == id then
      payload = liveText(s)
    else
      local pending = redis.call('HGET', KEY_ENDS, id)
      if pending then
        payload = string.sub(pending, string.find(pending, '\30', 14, true) + 1)
      elseif m and m.snapshot ~= '' and snapshotId(m.snapshot) == id then
        payload = m.snapshot
      end
    end
    if payload then
      starts[#starts + 1] = conv
      starts[#starts + 1] = payload
      redis.call('HSET', KEY_STARTS, id, claim .. conv)
      pendingUntil(real)
    else
      -- Forgotten before anyone announced it: nothing is left to announce.
      redis.call('HDEL', KEY_STARTS, id)
    end
  else
    pendingUntil(tonumber(string.sub(value, 1, 13)))
  end
end
local startsCursor = scan[1]

local nextAt = ''
local first = redis.call('ZRANGE', KEY_DEADLINES, 0, 0, 'WITHSCORES')
local earliest = first[2] and tonumber(first[2])
if recheckAt and (not earliest or recheckAt < earliest) then earliest = recheckAt end
if earliest then
  local slot = math.ceil(earliest / tonumber(ARGV[6])) * tonumber(ARGV[6])
  nextAt = string.format('%d', slot)
  redis.call('SET', KEY_ARMED, nextAt)
else
  redis.call('DEL', KEY_ARMED)
end
return { string.format('%d', real), #due == batch and '1' or '0', nextAt, ends, starts, endsCursor, startsCursor }
