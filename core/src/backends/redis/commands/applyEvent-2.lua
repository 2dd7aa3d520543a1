--[[
  Applies one event to a conversation's session, atomically: the Redis mirror of
  core/src/rules.ts (the conformance suite keeps the two in step). One call per tracked
  message; no queue work here, so an ongoing session costs one round trip.

  Input:
    KEYS[1] the conversation's active session hash   <prefix>:{<channel>:<conversationId>}
    KEYS[2] the conversation's ended-session hash     <prefix>:{<channel>:<conversationId>}:ended
    ARGV[1] event: 'in' | 'out' | 'handoff' | 'surveySent' | 'surveyAnswered' | 'end'
    ARGV[2] now, from the tracker's clock (ms)
    ARGV[3] a fresh session id, used only if this event starts a session
    ARGV[4] the user id, or ''
    ARGV[5] inactivityTimeoutMs
    ARGV[6] surveyWindowMs
    ARGV[7] endOn switches, four '0'/'1' characters: close, handoff, survey, interruption
    ARGV[8] the end reason (event 'end' only)
    ARGV[9] how long an ended session may wait for delivery, and an active one may outlive
            its deadline, before Redis drops it (ms): a safety net, not a rule

  Output: { code, id, userId, startedAt, lastUserMessageAt, lastActivityAt, expiresAt,
            interactions, userMessages, botMessages, surveySentAt, endedAt, endReason }
    code 0: no active session (the fields are nil)
         1: the active session, after the event
         2: a session this event started
         3: the session this event ended (endedAt, endReason set)
  A session found past its deadline is retired with endedAt = its deadline, whatever the
  event: its expiry job, due already, delivers that end.
]]
--- @include "session-fields"

local sessionKey, endedKey = KEYS[1], KEYS[2]
local event, now, retentionMs = ARGV[1], tonumber(ARGV[2]), ARGV[9]
local v = redis.call('HMGET', sessionKey, unpack(FIELDS))

if v[1] and now >= tonumber(v[6]) then
  retireSession(sessionKey, endedKey, v, v[6], 'inactivity', retentionMs)
  v = {}
end

local function reply(code, endedAt, reason)
  return { code, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], endedAt, reason }
end

if event == 'in' or event == 'out' then
  local inbound = event == 'in'
  local timeout = tonumber(ARGV[5])
  if not v[1] then
    local user = ARGV[4] ~= '' and ARGV[4] or false
    v = { ARGV[3], user, ARGV[2], inbound and ARGV[2] or false, ARGV[2], tostring(now + timeout),
          '1', inbound and '1' or '0', inbound and '0' or '1', false }
    local set = {}
    for i = 1, 10 do
      if v[i] then
        set[#set + 1] = FIELDS[i]
        set[#set + 1] = v[i]
      end
    end
    redis.call('HSET', sessionKey, unpack(set))
    redis.call('PEXPIREAT', sessionKey, now + timeout + tonumber(retentionMs))
    return reply(2)
  end
  v[5] = ARGV[2]
  v[7] = tostring(tonumber(v[7]) + 1)
  local set = { 'a', v[5], 'n', v[7] }
  if not v[2] and ARGV[4] ~= '' then
    v[2] = ARGV[4]
    set[#set + 1] = 'u'
    set[#set + 1] = v[2]
  end
  if inbound then
    -- Only the user's messages move the deadline: a bot reply never keeps a session alive.
    v[4] = ARGV[2]
    v[6] = tostring(now + timeout)
    v[8] = tostring(tonumber(v[8]) + 1)
    set[#set + 1] = 'l'
    set[#set + 1] = v[4]
    set[#set + 1] = 'e'
    set[#set + 1] = v[6]
    set[#set + 1] = 'um'
    set[#set + 1] = v[8]
    redis.call('PEXPIREAT', sessionKey, now + timeout + tonumber(retentionMs))
  else
    v[9] = tostring(tonumber(v[9]) + 1)
    set[#set + 1] = 'bm'
    set[#set + 1] = v[9]
  end
  redis.call('HSET', sessionKey, unpack(set))
  return reply(1)
end

if not v[1] then return reply(0) end

if event == 'surveySent' then
  v[10] = ARGV[2]
  redis.call('HSET', sessionKey, 'sv', v[10])
  return reply(1)
end

local endOn = ARGV[7]
local reason
if event == 'surveyAnswered' then
  -- An answer after the window, or to no survey, is an ordinary message: the session goes on.
  if not v[10] or now - tonumber(v[10]) > tonumber(ARGV[6]) or endOn:sub(3, 3) ~= '1' then
    return reply(1)
  end
  reason = 'survey'
else
  reason = event == 'handoff' and 'handoff' or ARGV[8]
  local gate = ({ closed = 1, handoff = 2, survey = 3, interrupted = 4 })[reason]
  if gate and endOn:sub(gate, gate) ~= '1' then return reply(1) end
end
retireSession(sessionKey, endedKey, v, ARGV[2], reason, retentionMs)
return reply(3, ARGV[2], reason)
