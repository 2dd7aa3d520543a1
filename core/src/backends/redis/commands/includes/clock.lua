--[[
  One clock for every process: Redis's (TIME). `given` is '' in production; a backend built
  with clock: 'tracker' (tests that move time by hand) passes the tracker's time instead.
  Either way the not-after check uses TIME: a call that arrives after its caller gave up
  (the caller's command timeout, on Redis's clock) must not take effect later.
]]
local function redisTime()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Returns (now for the rules, Redis's own now), or nil when the call is past its not-after time.
local function clockOf(given, notAfter)
  local real = redisTime()
  if notAfter ~= '' and real > tonumber(notAfter) then return nil, real end
  if given ~= '' then return tonumber(given), real end
  return real, real
end
