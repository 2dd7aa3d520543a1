--[[
  The record layout, written down once. Each conversation is one field of its shard's records
  hash; the field name is the conversation (channel \31 conversationId, see names.ts). Records
  are stored packed (struct, big-endian) and answered as text: session-codec.ts reads the text
  form (RECORD there names its offsets) and decodeStored there the packed one.

  A live session ('l'), stored: a fixed-width binary head, then text fields
    [1] 'l'
    [2,43] I6 expiresAt  I6 lastUserMessageAt (0: none)  I6 lastActivityAt
           I6 forgetAt: when the conversation's memory may go (deadline + redelivery window)
           I6 startedAt  I4 interactions  I4 userMessages  I4 botMessages
    then from 44: id \31 surveySentAt ('' none) \31 surveyScore ('' none) \31 previousSessionId
      \31 ordinal \31 userId \31 deliveries (includes/deliveries.lua: binary, so last)
    (userId is escaped by the caller when it holds a separator)
  A live session as text (answers, snapshots, the log), fixed-width digits:
    [1] 'L'  [2,14] expiresAt  [15,27] lastUserMessageAt  [28,40] lastActivityAt
    [41,53] forgetAt  [54,62] interactions  [63,71] userMessages  [72,80] botMessages
    then from 81: id \31 startedAt \31 surveySentAt \31 surveyScore \31 previousSessionId
      \31 ordinal \31 userId \31
  A remembered conversation with no live session ('m'):
    [1] 'm'  [2,9] I6 forgetAt  I2 length of the deliveries  then the deliveries,
    then previousSessionId \31 ordinal \31 snapshot of its last ended session ('' once forgotten)
  An ended session's snapshot (text): endedAt (13 digits) reason \31 the session as text.
  Records of 0.1.0 (text, 'L' and 'M') are still read: includes/legacy.lua.

  ordinal: how many sessions the conversation has opened while remembered; a delivery id
  remembers the ordinal of the session it acted on (see includes/deliveries.lua).
  Packed, a typical record (three delivery ids) fits a 160-byte allocation; as text it took 224.
]]
local SEP = '\31'
local HEAD = '>I6I6I6I6I6I4I4I4'
local TAIL = 44
local TEXT_HEAD = 'L%013d%013d%013d%013d%09d%09d%09d'

local function decodeLive(r)
  local expiresAt, lastUserMessageAt, lastActivityAt, forgetAt, startedAt, interactions, userMessages, botMessages =
    struct.unpack(HEAD, r, 2)
  local id, surveySentAt, surveyScore, previous, ordinal, userId, cut =
    string.match(r, '^(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31()', TAIL)
  return {
    expiresAt = expiresAt, lastUserMessageAt = lastUserMessageAt, lastActivityAt = lastActivityAt,
    forgetAt = forgetAt, interactions = interactions, userMessages = userMessages, botMessages = botMessages,
    id = id, startedAt = string.format('%d', startedAt), surveySentAt = surveySentAt, surveyScore = surveyScore,
    previous = previous, ordinal = ordinal, userId = userId, deliveries = string.sub(r, cut),
  }
end

local function encodeLive(s)
  return 'l' .. struct.pack(HEAD, s.expiresAt, s.lastUserMessageAt, s.lastActivityAt, s.forgetAt,
    tonumber(s.startedAt), s.interactions, s.userMessages, s.botMessages)
    .. s.id .. SEP .. s.surveySentAt .. SEP .. s.surveyScore .. SEP .. s.previous .. SEP
    .. s.ordinal .. SEP .. s.userId .. SEP .. s.deliveries
end

-- The session as text, what callers read: everything but the delivery ids (the store's business).
local function liveText(s)
  return string.format(TEXT_HEAD, s.expiresAt, s.lastUserMessageAt, s.lastActivityAt, s.forgetAt,
    s.interactions, s.userMessages, s.botMessages)
    .. s.id .. SEP .. s.startedAt .. SEP .. s.surveySentAt .. SEP .. s.surveyScore .. SEP
    .. s.previous .. SEP .. s.ordinal .. SEP .. s.userId .. SEP
end

local function decodeMemory(r)
  local forgetAt, length = struct.unpack('>I6I2', r, 2)
  local previous, ordinal, snapshot = string.match(r, '^(.-)\31(.-)\31(.*)$', 10 + length)
  return { forgetAt = forgetAt, previous = previous, ordinal = ordinal,
    deliveries = string.sub(r, 10, 9 + length), snapshot = snapshot }
end

local function encodeMemory(m)
  return 'm' .. struct.pack('>I6I2', m.forgetAt, #m.deliveries) .. m.deliveries .. m.previous .. SEP
    .. m.ordinal .. SEP .. m.snapshot
end

-- The id of the session a snapshot holds: its text starts after endedAt, reason and \31.
local function snapshotId(snapshot)
  local cut = string.find(snapshot, SEP, 14, true)
  return string.match(snapshot, '^(.-)\31', cut + 81)
end
