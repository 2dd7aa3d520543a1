--[[
  The keys of one shard, in the order every shard script takes them (the file name's N).
  All share the shard's hash tag, so on Redis Cluster one script touches one slot. Ledger
  day keys are KEYS[8] .. day: built here, in the same slot.
]]
local K_RECORDS, K_DEADLINES, K_ACTIVE, K_STARTS, K_ENDS, K_LOG, K_ARMED, K_LEDGER = 1, 2, 3, 4, 5, 6, 7, 8
