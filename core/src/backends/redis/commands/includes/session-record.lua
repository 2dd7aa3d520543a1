-- A session is one string. Its head has fixed width, so that the hot path reads and writes
-- numbers with string.sub instead of parsing the whole record (parsing cost a third of the
-- script's time):
--   [1,13] expiresAt  [14,26] lastUserMessageAt (0: none)  [27,39] lastActivityAt
--   [40,52] keyExpiresAt (the key's safety-net expiry)
--   [53,61] interactions  [62,70] userMessages  [71,79] botMessages
-- then, from 80: id \31 startedAt \31 surveySentAt ('' : none) \31 userId
-- (userId last: it is the one free-form field). session-codec.ts reads the same layout.
local SEP = '\31'
local HEAD = '%013d%013d%013d%013d%09d%09d%09d'

local function decodeRecord(r)
  local id, startedAt, surveySentAt, userId = string.match(r, '^(.-)\31(.-)\31(.-)\31(.*)$', 80)
  return {
    expiresAt = tonumber(string.sub(r, 1, 13)),
    lastUserMessageAt = tonumber(string.sub(r, 14, 26)),
    lastActivityAt = tonumber(string.sub(r, 27, 39)),
    keyExpiresAt = tonumber(string.sub(r, 40, 52)),
    interactions = tonumber(string.sub(r, 53, 61)),
    userMessages = tonumber(string.sub(r, 62, 70)),
    botMessages = tonumber(string.sub(r, 71, 79)),
    id = id, startedAt = startedAt, surveySentAt = surveySentAt, userId = userId,
  }
end

local function encodeRecord(s)
  return string.format(HEAD, s.expiresAt, s.lastUserMessageAt, s.lastActivityAt, s.keyExpiresAt,
    s.interactions, s.userMessages, s.botMessages)
    .. s.id .. SEP .. s.startedAt .. SEP .. s.surveySentAt .. SEP .. s.userId
end

-- Moves an ended session out of the conversation's key into its ended hash, where it waits
-- for its expiry job to deliver `sessionEnd` (the job deletes it once delivered).
-- The snapshot is endedAt (13 digits), the reason, \31, then the record.
local function retireSession(sessionKey, endedKey, record, endedAt, reason, retentionMs)
  local id = string.match(record, '^(.-)\31', 80)
  redis.call('HSET', endedKey, id, string.format('%013d', endedAt) .. reason .. SEP .. record)
  redis.call('PEXPIRE', endedKey, retentionMs)
  redis.call('DEL', sessionKey)
end
