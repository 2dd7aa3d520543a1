-- A UUIDv7 from Redis's clock and 19 random hex digits sent by the caller (Lua's own random
-- numbers are not random inside Redis scripts), so a message that opens a session needs no
-- id made beforehand and no second round trip.
local function uuidv7(ms, rand)
  local t = string.format('%012x', ms)
  local variantAt = (tonumber(string.sub(rand, 4, 4), 16) % 4) + 1
  return string.sub(t, 1, 8) .. '-' .. string.sub(t, 9, 12) .. '-7' .. string.sub(rand, 1, 3) .. '-'
    .. string.sub('89ab', variantAt, variantAt) .. string.sub(rand, 5, 7) .. '-' .. string.sub(rand, 8, 19)
end
