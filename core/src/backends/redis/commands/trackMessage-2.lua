--[[
  Counts one message of a conversation, atomically: the hot path, and the Redis mirror of
  the 'message' event of core/src/rules.ts (the conformance suite keeps the two in step).
  One call per tracked message, no queue work: an ongoing session costs one round trip.

  Input:
    KEYS[1] the conversation's session            <prefix>:{<channel>:<conversationId>}
    KEYS[2] the conversation's ended sessions      <prefix>:{<channel>:<conversationId>}:ended
    ARGV[1] 'in' (the user's message) or 'out' (the bot's)
    ARGV[2] now, from the tracker's clock (ms)
    ARGV[3] a fresh session id, used only if this message starts a session
    ARGV[4] the user id, or ''
    ARGV[5] inactivityTimeoutMs
    ARGV[6] retentionMs: how long Redis keeps a key past its deadline, as a safety net only

  Output: '1' or '2' (2: this message started the session), \31, then the session record.
  A session found past its deadline is retired first, dated to its deadline; its expiry
  job, due already, delivers that end.
]]
--- @include "session-record"

local sessionKey, endedKey = KEYS[1], KEYS[2]
local inbound, nowText, now = ARGV[1] == 'in', ARGV[2], tonumber(ARGV[2])
local timeout, retentionMs = tonumber(ARGV[5]), tonumber(ARGV[6])

local record = redis.call('GET', sessionKey)
local f
if record then
  f = decodeRecord(record)
  if now >= tonumber(f[5]) then
    retireSession(sessionKey, endedKey, record, f[5], 'inactivity', retentionMs)
    record = nil
  end
end

if not record then
  local keyExpiresAt = now + timeout + retentionMs
  f = { ARGV[3], nowText, inbound and nowText or '', nowText, tostring(now + timeout), '1',
        inbound and '1' or '0', inbound and '0' or '1', '', tostring(keyExpiresAt), ARGV[4] }
  record = encodeRecord(f)
  redis.call('SET', sessionKey, record, 'PXAT', keyExpiresAt)
  return '2' .. SEP .. record
end

f[4] = nowText
f[6] = tostring(tonumber(f[6]) + 1)
if f[11] == '' then f[11] = ARGV[4] end
local keyExpiresAt = tonumber(f[10])
if inbound then
  -- Only the user's messages move the deadline: a bot reply never keeps a session alive.
  f[3] = nowText
  f[5] = tostring(now + timeout)
  f[7] = tostring(tonumber(f[7]) + 1)
  -- Push the key's safety-net expiry only when half of its margin is used up.
  if now + timeout + retentionMs / 2 > keyExpiresAt then
    keyExpiresAt = now + timeout + retentionMs
    f[10] = tostring(keyExpiresAt)
    record = encodeRecord(f)
    redis.call('SET', sessionKey, record, 'PXAT', keyExpiresAt)
    return '1' .. SEP .. record
  end
else
  f[8] = tostring(tonumber(f[8]) + 1)
end
record = encodeRecord(f)
redis.call('SET', sessionKey, record, 'KEEPTTL')
return '1' .. SEP .. record
