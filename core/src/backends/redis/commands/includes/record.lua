--[[
  The record layout, written down once: session-codec.ts (RECORD there) reads the same
  offsets. Each conversation is one field of its shard's records hash (KEYS[1]); the field
  name is the conversation (channel \31 conversationId, see names.ts).

  A live session ('L'), with a fixed-width head so that numbers are read with string.sub:
    [1] 'L'
    [2,14] expiresAt   [15,27] lastUserMessageAt (0: none)   [28,40] lastActivityAt
    [41,53] forgetAt: when the conversation's memory may go (deadline + redelivery window)
    [54,62] interactions   [63,71] userMessages   [72,80] botMessages
    then from 81: id \31 startedAt \31 surveySentAt ('' none) \31 surveyScore ('' none)
      \31 previousSessionId \31 ordinal \31 userId \31 deliveries
    (userId is escaped by the caller when it holds a separator; the delivery ids come last, so
    that reading the other fields never scans them: they are the long part)
  A remembered conversation with no live session ('M'):
    [1] 'M'  [2,14] forgetAt
    then from 15: previousSessionId \31 ordinal \31 deliveries \31 snapshot of its last
      ended session ('' once forgotten)
  An ended session's snapshot: endedAt (13 digits) reason \31 the live record it ended as.

  ordinal: how many sessions the conversation has opened while remembered; a delivery id
  remembers the ordinal of the session it acted on (see includes/deliveries.lua).
]]
local SEP = '\31'
local LIVE_HEAD = 'L%013d%013d%013d%013d%09d%09d%09d'

local function decodeLive(r)
  local id, startedAt, surveySentAt, surveyScore, previous, ordinal, userId, cut =
    string.match(r, '^(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31()', 81)
  return {
    expiresAt = tonumber(string.sub(r, 2, 14)),
    lastUserMessageAt = tonumber(string.sub(r, 15, 27)),
    lastActivityAt = tonumber(string.sub(r, 28, 40)),
    forgetAt = tonumber(string.sub(r, 41, 53)),
    interactions = tonumber(string.sub(r, 54, 62)),
    userMessages = tonumber(string.sub(r, 63, 71)),
    botMessages = tonumber(string.sub(r, 72, 80)),
    id = id, startedAt = startedAt, surveySentAt = surveySentAt, surveyScore = surveyScore,
    previous = previous, ordinal = ordinal, userId = userId, deliveries = string.sub(r, cut),
  }
end

local function encodeLive(s)
  return string.format(LIVE_HEAD, s.expiresAt, s.lastUserMessageAt, s.lastActivityAt, s.forgetAt,
    s.interactions, s.userMessages, s.botMessages)
    .. s.id .. SEP .. s.startedAt .. SEP .. s.surveySentAt .. SEP .. s.surveyScore .. SEP
    .. s.previous .. SEP .. s.ordinal .. SEP .. s.userId .. SEP .. s.deliveries
end

local function decodeMemory(r)
  local previous, ordinal, deliveries, snapshot = string.match(r, '^(.-)\31(.-)\31(.-)\31(.*)$', 15)
  return { forgetAt = tonumber(string.sub(r, 2, 14)), previous = previous, ordinal = ordinal,
    deliveries = deliveries, snapshot = snapshot }
end

local function encodeMemory(m)
  return 'M' .. string.format('%013d', m.forgetAt) .. m.previous .. SEP .. m.ordinal .. SEP
    .. m.deliveries .. SEP .. m.snapshot
end

-- The id of the session a snapshot holds: its record starts after endedAt, reason and \31.
local function snapshotId(snapshot)
  local cut = string.find(snapshot, SEP, 14, true)
  return string.match(snapshot, '^(.-)\31', cut + 81)
end

-- What a caller reads of a live record: everything but the delivery ids (the long part, and
-- the store's business).
local function withoutDeliveries(r)
  local at = 80
  for _ = 1, 7 do at = string.find(r, SEP, at + 1, true) end
  return string.sub(r, 1, at)
end
