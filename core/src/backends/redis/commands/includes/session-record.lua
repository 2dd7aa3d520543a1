-- A session is one string, its fields separated by \31 (unit separator), in this order:
--   id, startedAt, lastUserMessageAt, lastActivityAt, expiresAt, interactions,
--   userMessages, botMessages, surveySentAt, keyExpiresAt, userId
-- (userId last: it is the one free-form field). One GET and one SET per message are far
-- cheaper than hash fields, and the string is smaller. session-codec.ts reads the same order.
local SEP = '\31'
local RECORD = '^(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.*)$'

local function decodeRecord(record)
  return { string.match(record, RECORD) }
end

local function encodeRecord(f)
  return table.concat(f, SEP, 1, 11)
end

-- Moves an ended session out of the conversation's key into its ended hash, where it waits
-- for its expiry job to deliver `sessionEnd` (the job deletes it once delivered).
-- The snapshot is endedAt, reason, then the record.
local function retireSession(sessionKey, endedKey, record, endedAt, reason, retentionMs)
  local id = string.match(record, '^(.-)\31')
  redis.call('HSET', endedKey, id, endedAt .. SEP .. reason .. SEP .. record)
  redis.call('PEXPIRE', endedKey, retentionMs)
  redis.call('DEL', sessionKey)
end
