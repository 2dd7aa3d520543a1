--[[
  The expiry job's compare-and-end: run when a session's delayed job fires.

  Input:
    KEYS[1] the conversation's active session hash
    KEYS[2] the conversation's ended-session hash
    ARGV[1] the job's session id
    ARGV[2] now, from the tracker's clock (ms)
    ARGV[3] retention of ended snapshots (ms)

  Output:
    { 'wait', expiresAt }  the user wrote since the job was scheduled: move the job there
    { 'end', snapshot }    the session has ended (now, or earlier by an explicit end or a
                           late message): deliver sessionEnd, then delete the snapshot.
                           A redelivered job (worker died mid-hook) finds the snapshot again.
    { 'none' }             already delivered: nothing to do
]]
--- @include "session-fields"

local sessionKey, endedKey, sessionId = KEYS[1], KEYS[2], ARGV[1]
local v = redis.call('HMGET', sessionKey, unpack(FIELDS))
if v[1] == sessionId then
  if tonumber(ARGV[2]) < tonumber(v[6]) then return { 'wait', v[6] } end
  -- Dated to the deadline, not to when the job happened to run.
  retireSession(sessionKey, endedKey, v, v[6], 'inactivity', ARGV[3])
end
local snapshot = redis.call('HGET', endedKey, sessionId)
if snapshot then return { 'end', snapshot } end
return { 'none' }
