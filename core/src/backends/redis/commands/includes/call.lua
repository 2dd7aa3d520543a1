-- The first line of every command: names the shard's keys and drops any batch a failed call
-- left behind (as a Functions library, module state outlives a call; see keys.lua).
local function beginCall(keys)
  useShard(keys[1])
  ledgerBatch, activeBatch, logBatch = nil, nil, nil
end
