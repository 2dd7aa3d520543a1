-- The session hash's fields, in the order every script reads and returns them:
-- id, userId, startedAt, lastUserMessageAt, lastActivityAt, expiresAt,
-- interactions, userMessages, botMessages, surveySentAt.
local FIELDS = { 'i', 'u', 's', 'l', 'a', 'e', 'n', 'um', 'bm', 'sv' }

-- Moves a session out of the active hash into the conversation's ended hash, where it
-- waits for its expiry job to deliver `sessionEnd` (and to delete it once delivered).
-- The snapshot is a JSON array: the ten fields, then endedAt, then the end reason.
local function retireSession(sessionKey, endedKey, values, endedAt, reason, retentionMs)
  local snapshot = {}
  for i = 1, 10 do snapshot[i] = values[i] end
  snapshot[11] = endedAt
  snapshot[12] = reason
  redis.call('HSET', endedKey, values[1], cjson.encode(snapshot))
  redis.call('PEXPIRE', endedKey, retentionMs)
  redis.call('DEL', sessionKey)
end
