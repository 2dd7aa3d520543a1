--[[
  The explicit events of core/src/rules.ts, atomically: handoff, surveySent, surveyAnswered,
  end(reason), with their delivery ids and ledger counters. An end is booked at once (ledger,
  log, pending end) and the caller delivers its sessionEnd right away, never at the old
  inactivity deadline.

  Input:
    KEYS[1] the shard's base key {<prefix>:<n>} (every key is named from it: includes/keys.lua)
    ARGV[1]  the conversation (field name)   ARGV[2]  the channel (ledger label)
    ARGV[3]  'handoff' | 'surveySent' | 'surveyAnswered' | 'end'
    ARGV[4]  '' (Redis's clock) or the tracker's now   ARGV[5] not-after time, or ''
    ARGV[6]  surveyWindowMs
    ARGV[7]  endOn switches, four '0'/'1': close, handoff, survey, interruption
    ARGV[8]  the end reason (event 'end' only)          ARGV[9]  survey score, or ''
    ARGV[10] delivery fingerprint, or ''                 ARGV[11] redeliveryWindowMs
    ARGV[12] logRetentionMs                              ARGV[13] ledgerRetentionMs
    ARGV[14] '0': the caller runs no sessionEnd handler: leave the end for a worker
    ARGV[15] sliceMs of the expiry jobs

  Output: { code, Redis's now, payload, ended snapshot or '', arm time or '' }
    '0' no live session   '1' live, payload the record after the event
    '3' this event ended it, payload the snapshot   '5' a redelivery (as trackMessage)
    'L' past not-after: nothing done
]]
--- @include "keys"
--- @include "record"
--- @include "clock"
--- @include "deliveries"
--- @include "legacy"
--- @include "ledger"
--- @include "arm"
--- @include "call"

beginCall(KEYS)

local now, real = clockOf(ARGV[4], ARGV[5])
if not now then return { 'L', real } end
local conv, channel, event = ARGV[1], ARGV[2], ARGV[3]
local fp, window = deliveryKey(ARGV[10]), tonumber(ARGV[11])
local opts = { logRetentionMs = tonumber(ARGV[12]), ledgerRetentionMs = tonumber(ARGV[13]),
  claimEnds = ARGV[14] ~= '0' }

local record = redis.call('HGET', KEY_RECORDS, conv)
local s, m
if record then s, m = decodeRecord(record) end

if fp ~= '' then
  local ordinal = findDelivery(s and s.deliveries or (m and m.deliveries) or '', fp, now, window)
  if ordinal then
    if s and ordinal ~= '' and s.ordinal == ordinal then return { '5', real, liveText(s), '' } end
    if m and ordinal ~= '' and m.ordinal == ordinal then return { '5', real, m.snapshot, '' } end
    return { '5', real, '', '' }
  end
end

local ended = ''
-- Every answer goes through here: an end left for a worker has the shard swept at once.
local function answer(code, payload)
  local arm = ''
  if not opts.claimEnds and (code == '3' or ended ~= '') then arm = armFor(now, tonumber(ARGV[15])) end
  return { code, real, payload, ended, arm }
end
if s and now >= s.expiresAt then
  ended, m = retire(conv, channel, s, s.expiresAt, 'inactivity', now, opts)
  s = nil
end

if not s then
  if fp ~= '' then rememberInMemory(conv, m, fp, now, window) end
  return answer('0', '')
end

if fp ~= '' then s.deliveries = rememberDelivery(s.deliveries, fp, now, window, s.ordinal) end
local endOn = ARGV[7]
local reason
if event == 'surveySent' then
  s.surveySentAt = string.format('%d', now)
  ledgerAdd(now, channel, 'surveySent', 1, opts.ledgerRetentionMs)
elseif event == 'surveyAnswered' then
  local inWindow = s.surveySentAt ~= '' and now - tonumber(s.surveySentAt) <= tonumber(ARGV[6])
  if ARGV[9] ~= '' then s.surveyScore = ARGV[9] end
  if inWindow then
    ledgerAdd(now, channel, 'surveyAnswered', 1, opts.ledgerRetentionMs)
    if ARGV[9] ~= '' then
      ledgerAdd(now, channel, 'scoreSum', tonumber(ARGV[9]), opts.ledgerRetentionMs)
      ledgerAdd(now, channel, 'scoreCount', 1, opts.ledgerRetentionMs)
    end
  end
  -- An answer after the window, or to no survey, is an ordinary message: the session goes on.
  if inWindow and endOn:sub(3, 3) == '1' then reason = 'survey' end
else
  reason = event == 'handoff' and 'handoff' or ARGV[8]
  local gate = ({ closed = 1, handoff = 2, survey = 3, interrupted = 4 })[reason]
  if gate and endOn:sub(gate, gate) ~= '1' then reason = nil end
end

record = encodeLive(s)
if not reason then
  redis.call('HSET', KEY_RECORDS, conv, record)
  return answer('1', liveText(s))
end
return answer('3', retire(conv, channel, s, now, reason, now, opts))
