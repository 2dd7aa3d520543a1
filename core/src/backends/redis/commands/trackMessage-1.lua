--[[
  Counts one message of a conversation, atomically: the hot path, and the Redis mirror of
  the 'message' event of core/src/rules.ts plus the delivery ids of core/src/deliveries.ts
  and the counters of core/src/ledger.ts (the conformance and differential suites keep them
  in step). One call per message, no queue work while a session goes on.

  Input:
    KEYS[1] the shard's base key {<prefix>:<n>} (every key is named from it: includes/keys.lua)
    ARGV[1]  the conversation (field name)         ARGV[2]  the channel (ledger label)
    ARGV[3]  'in' (the user's message) or 'out' (the bot's)
    ARGV[4]  '' (Redis's clock) or the tracker's now (ms), see includes/clock.lua
    ARGV[5]  not-after time on Redis's clock, or '': past it, do nothing and answer 'L'
    ARGV[6]  the id of a session this message opens: 'r:' + 19 random hex digits (a UUIDv7 is
             made here), 'i:' + an id, or '' (then answer '4' if one is needed)
    ARGV[7]  the user id, or ''                    ARGV[8]  inactivityTimeoutMs
    ARGV[9]  redeliveryWindowMs                     ARGV[10] inReplyTo session id, or ''
    ARGV[11] '0': may not open a session             ARGV[12] delivery fingerprint, or ''
    ARGV[13] logRetentionMs                         ARGV[14] ledgerRetentionMs
    ARGV[15] sliceMs of the expiry jobs
    ARGV[16] '0': the caller runs no sessionEnd handler: an end found here is left for a worker

  Output: { code, Redis's now, payload, ended snapshot or '', arm time or '' }
    code '1' ongoing, payload the record   '2' started, payload the record
         '0' counted nowhere               '4' an id is needed (nothing written but an expired end)
         '5' a redelivery: payload the original session's record or snapshot, or ''
         'L' past not-after: nothing done
  A session found past its deadline is retired first, dated to its deadline; the caller
  delivers that end (ended snapshot) at once.
]]
--- @include "keys"
--- @include "record"
--- @include "clock"
--- @include "deliveries"
--- @include "legacy"
--- @include "ledger"
--- @include "arm"
--- @include "uuid"
--- @include "call"

beginCall(KEYS)

local now, real = clockOf(ARGV[4], ARGV[5])
if not now then return { 'L', real } end
local conv, channel = ARGV[1], ARGV[2]
local inbound = ARGV[3] == 'in'
local timeout, window = tonumber(ARGV[8]), tonumber(ARGV[9])
local fp = deliveryKey(ARGV[12])

local record = redis.call('HGET', KEY_RECORDS, conv)

-- The hot path: a message of an ongoing session from the user the record knows, that is
-- not the session's first user message. The packed head is read and written with one
-- struct call each; the text fields are cut at their separators with plain finds (the
-- delivery ids after them are never scanned). Most messages end here.
if record and string.sub(record, 1, 1) == 'l' then
  local expiresAt, lastUserMessageAt, lastActivityAt, forgetAt, startedAt, interactions, userMessages, botMessages =
    struct.unpack(HEAD, record, 2)
  -- cuts[i]: the i-th separator of the text fields (id, surveySentAt, surveyScore,
  -- previousSessionId, ordinal, userId, then the delivery ids).
  local cuts, at = {}, TAIL - 1
  if now < expiresAt then
    for i = 1, 6 do
      at = string.find(record, SEP, at + 1, true)
      cuts[i] = at
    end
  end
  if now < expiresAt and (ARGV[10] == '' or string.sub(record, TAIL, cuts[1] - 1) == ARGV[10])
    and (ARGV[7] == '' or string.sub(record, cuts[5] + 1, cuts[6] - 1) == ARGV[7])
    and not (inbound and userMessages == 0) then
    local list = string.sub(record, cuts[6] + 1)
    if fp ~= '' then
      local seen = findDelivery(list, fp, now, window)
      if seen then
        if seen == string.sub(record, cuts[4] + 1, cuts[5] - 1) then
          return { '5', real, liveText(decodeLive(record)), '', '' }
        end
        return { '5', real, '', '', '' }
      end
      list = rememberDelivery(list, fp, now, window, string.sub(record, cuts[4] + 1, cuts[5] - 1))
    end
    interactions = interactions + 1
    lastActivityAt = now
    if inbound then
      -- Only the user's messages move the deadline (the deadlines index keeps the old one;
      -- the sweep moves it when it gets there).
      expiresAt = now + timeout
      lastUserMessageAt = now
      forgetAt = math.max(forgetAt, expiresAt + window)
      userMessages = userMessages + 1
    else
      botMessages = botMessages + 1
    end
    redis.call('HSET', KEY_RECORDS, conv, 'l' .. struct.pack(HEAD, expiresAt, lastUserMessageAt, lastActivityAt,
      forgetAt, startedAt, interactions, userMessages, botMessages) .. string.sub(record, TAIL, cuts[6]) .. list)
    ledgerAdd(now, channel, inbound and 'in' or 'out', 1, tonumber(ARGV[14]))
    return { '1', real, string.format(TEXT_HEAD, expiresAt, lastUserMessageAt, lastActivityAt, forgetAt, interactions,
      userMessages, botMessages) .. string.sub(record, TAIL, cuts[1]) .. string.format('%d', startedAt) .. SEP
      .. string.sub(record, cuts[1] + 1, cuts[6]), '', '' }
  end
end

-- Past the hot path: the options the rest needs (a table the hot path does not build).
local opts = { logRetentionMs = tonumber(ARGV[13]), ledgerRetentionMs = tonumber(ARGV[14]),
  claimEnds = ARGV[16] ~= '0' }
local s, m
if record then s, m = decodeRecord(record) end

if fp ~= '' then
  local ordinal = findDelivery(s and s.deliveries or (m and m.deliveries) or '', fp, now, window)
  if ordinal then
    if s and ordinal ~= '' and s.ordinal == ordinal then return { '5', real, liveText(s), '', '' } end
    if m and ordinal ~= '' and m.ordinal == ordinal then return { '5', real, m.snapshot, '', '' } end
    return { '5', real, '', '', '' }
  end
end

local ended = ''
-- An end left for a worker (the caller runs no sessionEnd handler) has the shard swept at once.
local function armLeftEnd()
  if ended ~= '' and not opts.claimEnds then return armFor(now, tonumber(ARGV[15])) end
  return ''
end
if s and now >= s.expiresAt then
  ended, m = retire(conv, channel, s, s.expiresAt, 'inactivity', now, opts)
  s = nil
end

-- Counted nowhere: a reply to a session that is not the live one, or a message that may not
-- open a session and found none. Its delivery id is still remembered.
if (ARGV[10] ~= '' and (not s or s.id ~= ARGV[10])) or (not s and ARGV[11] == '0') then
  if fp ~= '' then
    if s then
      s.deliveries = rememberDelivery(s.deliveries, fp, now, window, '')
      redis.call('HSET', KEY_RECORDS, conv, encodeLive(s))
    else
      rememberInMemory(conv, m, fp, now, window)
    end
  end
  return { '0', real, '', ended, armLeftEnd() }
end

if not s then
  local idArg = ARGV[6]
  if idArg == '' then return { '4', real, '', ended, armLeftEnd() } end
  local id = string.sub(idArg, 3)
  if string.sub(idArg, 1, 2) == 'r:' then id = uuidv7(now, id) end
  local ordinal = m and string.format('%d', tonumber(m.ordinal) + 1) or '1'
  s = {
    expiresAt = now + timeout, lastUserMessageAt = inbound and now or 0, lastActivityAt = now,
    forgetAt = math.max(now + timeout + window, m and m.forgetAt or 0),
    interactions = 1, userMessages = inbound and 1 or 0, botMessages = inbound and 0 or 1,
    id = id, startedAt = string.format('%d', now), surveySentAt = '', surveyScore = '',
    previous = m and m.previous or '', ordinal = ordinal, deliveries = m and m.deliveries or '',
    userId = ARGV[7],
  }
  if fp ~= '' then s.deliveries = rememberDelivery(s.deliveries, fp, now, window, ordinal) end
  record = encodeLive(s)
  redis.call('HSET', KEY_RECORDS, conv, record)
  bookStart(conv, channel, s, now, opts.ledgerRetentionMs)
  ledgerAdd(now, channel, inbound and 'in' or 'out', 1, opts.ledgerRetentionMs)
  if inbound then ledgerAdd(now, channel, 'engaged', 1, opts.ledgerRetentionMs) end
  local arm = armLeftEnd()
  if arm == '' then arm = armFor(s.expiresAt, tonumber(ARGV[15])) end
  return { '2', real, liveText(s), ended, arm }
end

s.interactions = s.interactions + 1
s.lastActivityAt = now
if inbound then
  -- Engaged: the session's first user message, counted in the hour the session started.
  if s.userMessages == 0 then ledgerAdd(tonumber(s.startedAt), channel, 'engaged', 1, opts.ledgerRetentionMs) end
  s.userMessages = s.userMessages + 1
  s.lastUserMessageAt = now
  -- Only the user's messages move the deadline: a bot reply never keeps a session alive.
  -- The deadlines index keeps the old one; the sweep moves it when it gets there.
  s.expiresAt = now + timeout
  s.forgetAt = math.max(s.forgetAt, s.expiresAt + window)
else
  s.botMessages = s.botMessages + 1
end
-- The user id may become known after a proactive bot message opened the session.
if s.userId == '' then s.userId = ARGV[7] end
if fp ~= '' then s.deliveries = rememberDelivery(s.deliveries, fp, now, window, s.ordinal) end
record = encodeLive(s)
redis.call('HSET', KEY_RECORDS, conv, record)
ledgerAdd(now, channel, inbound and 'in' or 'out', 1, opts.ledgerRetentionMs)
return { '1', real, liveText(s), ended, armLeftEnd() }
