--[[
  The keys of one shard, all named from KEYS[1], the shard's hash-tagged base
  `{<prefix>:<n>}`: one key sent instead of eight (each call's bytes are the client's main
  cost), and every key in the one slot KEYS[1] routes to, so on Redis Cluster a script
  touches one slot. Ledger day keys are KEY_LEDGER .. epochDay.
  Set by each call (beginCall): loaded as a Redis Functions library, these locals live
  as long as the library, so nothing may be left over from the previous call.
]]
local TAG, KEY_RECORDS, KEY_DEADLINES, KEY_ACTIVE, KEY_STARTS, KEY_ENDS, KEY_LOG, KEY_ARMED, KEY_LEDGER

local function useShard(tag)
  TAG = tag
  KEY_RECORDS, KEY_DEADLINES, KEY_ACTIVE = tag .. ':records', tag .. ':deadlines', tag .. ':active'
  KEY_STARTS, KEY_ENDS, KEY_LOG = tag .. ':starting', tag .. ':ending', tag .. ':log'
  KEY_ARMED, KEY_LEDGER = tag .. ':armed', tag .. ':ledger:'
end
