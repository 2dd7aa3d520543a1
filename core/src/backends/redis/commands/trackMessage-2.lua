--[[
  Counts one message of a conversation, atomically: the hot path, and the Redis mirror of
  the 'message' event of core/src/rules.ts (the conformance suite keeps the two in step).
  One call per tracked message, no queue work: an ongoing session costs one round trip.

  Input:
    KEYS[1] the conversation's session            <prefix>:{<channel>:<conversationId>}
    KEYS[2] the conversation's ended sessions      <prefix>:{<channel>:<conversationId>}:ended
    ARGV[1] 'in' (the user's message) or 'out' (the bot's)
    ARGV[2] now, from the tracker's clock (ms)
    ARGV[3] a fresh session id, or '': then a message that would start a session answers
            '4' and the caller sends it again with an id (ids cost time to make, and most
            messages continue a session)
    ARGV[4] the user id, or ''
    ARGV[5] inactivityTimeoutMs
    ARGV[6] retentionMs: how long Redis keeps a key past its deadline, as a safety net only
    ARGV[7] inReplyTo: the session a bot reply answers, or ''. If that session is not the
            active one, the reply belongs to an ended session: not counted, nothing opened.
    ARGV[8] '0': the message may not open a session (counted only inside an active one)

  Output: '1' (ongoing) or '2' (this message started the session), then the session record;
          '4', alone: an id is needed; '0', alone: counted nowhere (a reply to an ended
          session, or a message that may not open one and found none).
  A session found past its deadline is retired first, dated to its deadline; its expiry
  job, due already, delivers that end.
]]
--- @include "session-record"

local sessionKey = KEYS[1]
local inbound, now = ARGV[1] == 'in', tonumber(ARGV[2])
local timeout, retentionMs = tonumber(ARGV[5]), tonumber(ARGV[6])

local record = redis.call('GET', sessionKey)
if record then
  local expiresAt = tonumber(string.sub(record, 1, 13))
  if now >= expiresAt then
    retireSession(sessionKey, KEYS[2], record, expiresAt, 'inactivity', retentionMs)
    record = nil
  end
end

if ARGV[7] ~= '' and (not record or string.match(record, '^(.-)\31', 80) ~= ARGV[7]) then
  return '0'
end

if not record then
  if ARGV[8] == '0' then return '0' end
  if ARGV[3] == '' then return '4' end
  local keyExpiresAt = now + timeout + retentionMs
  record = encodeRecord({
    expiresAt = now + timeout, lastUserMessageAt = inbound and now or 0, lastActivityAt = now,
    keyExpiresAt = keyExpiresAt, interactions = 1, userMessages = inbound and 1 or 0,
    botMessages = inbound and 0 or 1, id = ARGV[3], startedAt = ARGV[2], surveySentAt = '',
    userId = ARGV[4],
  })
  redis.call('SET', sessionKey, record, 'PXAT', keyExpiresAt)
  return '2' .. record
end

local interactions = tonumber(string.sub(record, 53, 61)) + 1
local tail = string.sub(record, 80)
-- The user id may become known after a proactive bot message opened the session.
if ARGV[4] ~= '' and string.sub(tail, -1) == SEP then tail = tail .. ARGV[4] end

if inbound then
  -- Only the user's messages move the deadline: a bot reply never keeps a session alive.
  local expiresAt = now + timeout
  local keyExpiresAt = tonumber(string.sub(record, 40, 52))
  -- Push the key's safety-net expiry only when half of its margin is used up.
  local extend = expiresAt + retentionMs / 2 > keyExpiresAt
  if extend then keyExpiresAt = expiresAt + retentionMs end
  record = string.format('%013d%013d%013d%013d%09d%09d', expiresAt, now, now, keyExpiresAt, interactions,
    tonumber(string.sub(record, 62, 70)) + 1) .. string.sub(record, 71, 79) .. tail
  if extend then
    redis.call('SET', sessionKey, record, 'PXAT', keyExpiresAt)
  else
    redis.call('SET', sessionKey, record, 'KEEPTTL')
  end
else
  record = string.sub(record, 1, 26) .. string.format('%013d', now) .. string.sub(record, 40, 52)
    .. string.format('%09d', interactions) .. string.sub(record, 62, 70)
    .. string.format('%09d', tonumber(string.sub(record, 71, 79)) + 1) .. tail
  redis.call('SET', sessionKey, record, 'KEEPTTL')
end
return '1' .. record
