--[[
  The explicit events of core/src/rules.ts, atomically: handoff, surveySent,
  surveyAnswered, end(reason). An ended session moves to the ended hash, where its expiry
  job (promoted by the caller) finds it and delivers sessionEnd.

  Input:
    KEYS[1] the conversation's session
    KEYS[2] the conversation's ended sessions
    ARGV[1] 'handoff' | 'surveySent' | 'surveyAnswered' | 'end'
    ARGV[2] now, from the tracker's clock (ms)
    ARGV[3] surveyWindowMs
    ARGV[4] endOn switches, four '0'/'1' characters: close, handoff, survey, interruption
    ARGV[5] the end reason (event 'end' only)
    ARGV[6] retentionMs

  Output: '0' (no active session), '1' then the record (active, after the event), or
          '3' then the snapshot (endedAt, reason, \31, record) when this event ended it.
]]
--- @include "session-record"

local sessionKey, endedKey = KEYS[1], KEYS[2]
local event, now = ARGV[1], tonumber(ARGV[2])
local retentionMs = tonumber(ARGV[6])

local record = redis.call('GET', sessionKey)
if not record then return '0' end
local s = decodeRecord(record)
if now >= s.expiresAt then
  retireSession(sessionKey, endedKey, record, s.expiresAt, 'inactivity', retentionMs)
  return '0'
end

if event == 'surveySent' then
  s.surveySentAt = ARGV[2]
  record = encodeRecord(s)
  redis.call('SET', sessionKey, record, 'KEEPTTL')
  return '1' .. record
end

local endOn = ARGV[4]
local reason
if event == 'surveyAnswered' then
  -- An answer after the window, or to no survey, is an ordinary message: the session goes on.
  if s.surveySentAt == '' or now - tonumber(s.surveySentAt) > tonumber(ARGV[3]) or endOn:sub(3, 3) ~= '1' then
    return '1' .. record
  end
  reason = 'survey'
else
  reason = event == 'handoff' and 'handoff' or ARGV[5]
  local gate = ({ closed = 1, handoff = 2, survey = 3, interrupted = 4 })[reason]
  if gate and endOn:sub(gate, gate) ~= '1' then return '1' .. record end
end
retireSession(sessionKey, endedKey, record, now, reason, retentionMs)
return '3' .. string.format('%013d', now) .. reason .. SEP .. record
