--[[
  Records written by botsession 0.1.0: text, kinds 'L' and 'M' (the layout of the text form in
  record.lua, with the delivery ids as 'fingerprint:firstSeenAt:ordinal' entries joined by ',').
  They are read here and written back packed the next time their conversation changes, so an
  upgrade keeps every live session, its counts and its remembered delivery ids.
]]
local function legacyDeliveries(list)
  local entries = {}
  for fp, seen, ordinal in string.gmatch(list, '([^:,]+):(%d+):([^,]*)') do
    entries[#entries + 1] = deliveryKey(fp) .. struct.pack('>I6I4', tonumber(seen), ordinal == '' and 0 or tonumber(ordinal))
  end
  return table.concat(entries)
end

local function decodeLegacyLive(r)
  local id, startedAt, surveySentAt, surveyScore, previous, ordinal, userId, cut =
    string.match(r, '^(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31(.-)\31()', 81)
  return {
    expiresAt = tonumber(string.sub(r, 2, 14)), lastUserMessageAt = tonumber(string.sub(r, 15, 27)),
    lastActivityAt = tonumber(string.sub(r, 28, 40)), forgetAt = tonumber(string.sub(r, 41, 53)),
    interactions = tonumber(string.sub(r, 54, 62)), userMessages = tonumber(string.sub(r, 63, 71)),
    botMessages = tonumber(string.sub(r, 72, 80)),
    id = id, startedAt = startedAt, surveySentAt = surveySentAt, surveyScore = surveyScore,
    previous = previous, ordinal = ordinal, userId = userId, deliveries = legacyDeliveries(string.sub(r, cut)),
  }
end

local function decodeLegacyMemory(r)
  local previous, ordinal, deliveries, snapshot = string.match(r, '^(.-)\31(.-)\31(.-)\31(.*)$', 15)
  return { forgetAt = tonumber(string.sub(r, 2, 14)), previous = previous, ordinal = ordinal,
    deliveries = legacyDeliveries(deliveries), snapshot = snapshot }
end

-- Any stored record: (s, nil) for a live session, (nil, m) for a remembered conversation.
local function decodeRecord(r)
  local kind = string.sub(r, 1, 1)
  if kind == 'l' then return decodeLive(r), nil end
  if kind == 'm' then return nil, decodeMemory(r) end
  if kind == 'L' then return decodeLegacyLive(r), nil end
  return nil, decodeLegacyMemory(r)
end
