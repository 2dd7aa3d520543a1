--[[
  A shard's expiry is one BullMQ delayed job at a time, at the earliest deadline it knows
  (the armed key holds that time). A new deadline earlier than it needs a job of its own: the
  script says so and the caller adds it. Deadlines that move later never do (the sweep
  re-arms lazily), so an ongoing conversation costs no queue work.
]]
local function armFor(at, sliceMs)
  local slot = math.ceil(at / sliceMs) * sliceMs
  local armed = redis.call('GET', KEY_ARMED)
  if armed and tonumber(armed) <= slot then return '' end
  redis.call('SET', KEY_ARMED, slot)
  return string.format('%d', slot)
end
