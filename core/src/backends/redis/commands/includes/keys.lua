--[[
  The keys of one shard, all named from KEYS[1], the shard's hash-tagged base
  `{<prefix>:<n>}`: one key sent instead of eight (each call's bytes are the client's main
  cost), and every key in the one slot KEYS[1] routes to, so on Redis Cluster a script
  touches one slot. Ledger day keys are KEY_LEDGER .. epochDay.
]]
local TAG = KEYS[1]
local KEY_RECORDS, KEY_DEADLINES, KEY_ACTIVE = TAG .. ':records', TAG .. ':deadlines', TAG .. ':active'
local KEY_STARTS, KEY_ENDS, KEY_LOG = TAG .. ':starting', TAG .. ':ending', TAG .. ':log'
local KEY_ARMED, KEY_LEDGER = TAG .. ':armed', TAG .. ':ledger:'
