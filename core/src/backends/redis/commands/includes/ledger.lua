--[[
  The Lua mirror of core/src/ledger.ts: counters per UTC hour and channel, one hash per
  shard and day (KEY_LEDGER .. epochDay), field 'HH' \31 channel \31 name. Moved in the same
  script as the state change that causes them: counted exactly once.
  The bucket bounds must equal DURATION_BUCKETS_MS and INTERACTION_BUCKETS (a unit test
  reads this file and compares).
]]
-- Histogram bounds, and the counter names of each bucket, made once per library load (once
-- per call when run as a plain script).
local DURATION_BUCKETS = { 1000, 5000, 10000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000,
  3600000, 7200000, 14400000, 28800000, 43200000, 86400000, 172800000 }
local INTERACTION_BUCKETS = { 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 200 }
local function names(prefix, count)
  local list = {}
  for i = 0, count do list[i] = prefix .. i end
  return list
end
local DURATION_NAMES, INTERACTION_NAMES = names('dur:', #DURATION_BUCKETS), names('ips:', #INTERACTION_BUCKETS)
local END_NAMES = { inactivity = 'end:inactivity' }
local DAY_MS, HOUR_MS = 86400000, 3600000

local function bucketOf(bounds, value)
  local at = 0
  while at < #bounds and value > bounds[at + 1] do at = at + 1 end
  return at
end

-- A sweep ends hundreds of sessions in one call: it sets this table and their counters are
-- summed here (ledgerBatch[key][field] = { by, day, retentionMs }) and written once per field
-- (flushBatch), not once per session.
local ledgerBatch

-- Each counter also moves its all-time total (KEY_LEDGER .. 'total', field channel \31 name,
-- never expiring): what metrics read as counters that never go down, in one read.
local function ledgerWrite(key, field, by, day, retentionMs)
  local value
  local total = string.sub(field, 4)
  if by == math.floor(by) then
    value = redis.call('HINCRBY', key, field, by)
    redis.call('HINCRBY', KEY_LEDGER .. 'total', total, by)
  else
    value = redis.call('HINCRBYFLOAT', key, field, by)
    redis.call('HINCRBYFLOAT', KEY_LEDGER .. 'total', total, by)
  end
  -- The field is new: make sure its day expires (the same value every time, so idempotent).
  if tonumber(value) == by then redis.call('PEXPIREAT', key, (day + 1) * DAY_MS + retentionMs) end
end

-- The day key and the field prefix ('HH' \31 channel \31) of a time: made once per event,
-- and reused while the hour, the channel and the shard stay the same (a sweep's ends).
local slotHour, slotChannel, slotKeys, slotKey, slotPrefix, slotDay
local function ledgerSlot(time, channel)
  local hour = math.floor(time / HOUR_MS)
  if hour == slotHour and channel == slotChannel and KEY_LEDGER == slotKeys then return slotKey, slotPrefix, slotDay end
  local day = math.floor(time / DAY_MS)
  slotHour, slotChannel, slotKeys, slotDay = hour, channel, KEY_LEDGER, day
  slotKey = KEY_LEDGER .. day
  slotPrefix = string.format('%02d', hour % 24) .. SEP .. channel .. SEP
  return slotKey, slotPrefix, day
end

-- retentionMs: how long a day's counters are kept after the day.
local function ledgerAddAt(key, prefix, day, name, by, retentionMs)
  local field = prefix .. name
  if ledgerBatch then
    local fields = ledgerBatch[key]
    if not fields then
      fields = {}
      ledgerBatch[key] = fields
    end
    local entry = fields[field]
    if entry then
      entry[1] = entry[1] + by
    else
      fields[field] = { by, day, retentionMs }
    end
    return
  end
  ledgerWrite(key, field, by, day, retentionMs)
end

local function ledgerAdd(time, channel, name, by, retentionMs)
  local key, prefix, day = ledgerSlot(time, channel)
  ledgerAddAt(key, prefix, day, name, by, retentionMs)
end

-- Live sessions per channel: batched like the ledger during a sweep.
local activeBatch
local function activeAdd(channel, by)
  if activeBatch then
    activeBatch[channel] = (activeBatch[channel] or 0) + by
    return
  end
  redis.call('HINCRBY', KEY_ACTIVE, channel, by)
end

-- Session log entries: one XADD per session, or, in a sweep, one per batch whose fields are
-- the pairs of every session it ended (c, conversation, r, snapshot, c, ...).
local logBatch, logMinId
local function logAppend(conv, snapshot, minId)
  if logBatch then
    local n = #logBatch
    logBatch[n + 1], logBatch[n + 2], logBatch[n + 3], logBatch[n + 4] = 'c', conv, 'r', snapshot
    logMinId = minId
    return
  end
  redis.call('XADD', KEY_LOG, 'MINID', '~', minId, '*', 'c', conv, 'r', snapshot)
end

local function startBatch()
  ledgerBatch, activeBatch, logBatch = {}, {}, {}
end

local function flushBatch()
  for key, fields in pairs(ledgerBatch) do
    for field, e in pairs(fields) do ledgerWrite(key, field, e[1], e[2], e[3]) end
  end
  for channel, by in pairs(activeBatch) do redis.call('HINCRBY', KEY_ACTIVE, channel, by) end
  -- At most 2,000 values an XADD: Lua's unpack has a limit of its own.
  for first = 1, #logBatch, 2000 do
    redis.call('XADD', KEY_LOG, 'MINID', '~', logMinId, '*', unpack(logBatch, first, math.min(first + 1999, #logBatch)))
  end
  ledgerBatch, activeBatch, logBatch = nil, nil, nil
end

--[[
  A session opened: counted, made live, its sessionStart marked pending until the caller
  that opened it acknowledges delivery (the sweep announces it otherwise, after a lease).
]]
local function bookStart(conv, channel, s, now, retentionMs)
  ledgerAdd(tonumber(s.startedAt), channel, 'sessions', 1, retentionMs)
  activeAdd(channel, 1)
  redis.call('HSET', KEY_STARTS, s.id, string.format('%013d', now) .. conv)
  redis.call('ZADD', KEY_DEADLINES, s.expiresAt, conv)
end

--[[
  Ends the live session `s` at endedAt for `reason`, in one place:
  ledger, live count, session log, the pending end (delivered by the caller, or by the sweep
  after a lease), and the conversation's memory. Returns the snapshot.
]]
local function retire(conv, channel, s, endedAt, reason, now, opts)
  -- The snapshot is text and leaves the delivery ids out: the conversation's memory keeps them once.
  local snapshot = string.format('%013d', endedAt) .. reason .. SEP .. liveText(s)
  local duration = endedAt - tonumber(s.startedAt)
  local ret = opts.ledgerRetentionMs
  local key, prefix, day = ledgerSlot(endedAt, channel)
  ledgerAddAt(key, prefix, day, END_NAMES[reason] or 'end:' .. reason, 1, ret)
  ledgerAddAt(key, prefix, day, DURATION_NAMES[bucketOf(DURATION_BUCKETS, duration)], 1, ret)
  ledgerAddAt(key, prefix, day, 'durSum', duration, ret)
  ledgerAddAt(key, prefix, day, INTERACTION_NAMES[bucketOf(INTERACTION_BUCKETS, s.interactions)], 1, ret)
  ledgerAddAt(key, prefix, day, 'ipsSum', s.interactions, ret)
  activeAdd(channel, -1)
  opts.minId = opts.minId or string.format('%d', now - opts.logRetentionMs)
  logAppend(conv, snapshot, opts.minId)
  -- Claimed by the caller, who delivers it now; claimed at 0 (anyone's, at once) when the
  -- caller has no sessionEnd handler to run (a CLI, a worker-less admin tool).
  redis.call('HSET', KEY_ENDS, s.id, string.format('%013d', opts.claimEnds == false and 0 or now) .. conv .. '\30' .. snapshot)
  local memory = { forgetAt = math.max(s.forgetAt, now), previous = s.id, ordinal = s.ordinal,
    deliveries = s.deliveries, snapshot = snapshot }
  redis.call('HSET', KEY_RECORDS, conv, encodeMemory(memory))
  redis.call('ZADD', KEY_DEADLINES, memory.forgetAt, conv)
  return snapshot, memory
end
