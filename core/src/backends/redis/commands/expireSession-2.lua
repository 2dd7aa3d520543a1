--[[
  The expiry job's compare-and-end: run when a session's delayed job fires.

  Input:
    KEYS[1] the conversation's session
    KEYS[2] the conversation's ended sessions
    ARGV[1] the job's session id
    ARGV[2] now, from the tracker's clock (ms)
    ARGV[3] retentionMs

  Output:
    'wait' \31 expiresAt   the user wrote since the job was scheduled: move the job there
    'end' \31 snapshot     the session has ended (now, or earlier by an explicit end or a late
                           message): deliver sessionEnd, then delete the snapshot. A job
                           redelivered after its worker died mid-hook finds it again.
    'none'                 already delivered: nothing to do
]]
--- @include "session-record"

local sessionKey, endedKey, sessionId = KEYS[1], KEYS[2], ARGV[1]
local record = redis.call('GET', sessionKey)
if record and string.match(record, '^(.-)\31', 80) == sessionId then
  local expiresAt = tonumber(string.sub(record, 1, 13))
  if tonumber(ARGV[2]) < expiresAt then return 'wait' .. SEP .. expiresAt end
  -- Dated to the deadline, not to when the job happened to run.
  retireSession(sessionKey, endedKey, record, expiresAt, 'inactivity', tonumber(ARGV[3]))
end
local snapshot = redis.call('HGET', endedKey, sessionId)
if snapshot then return 'end' .. SEP .. snapshot end
return 'none'
