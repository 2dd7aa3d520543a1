/**
 * The keys of one shard. Every key carries the shard's hash tag `{<prefix>:<n>}`: on Redis
 * Cluster a shard lives in one slot, so each Lua command touches one slot, and the shards
 * spread over the masters. The names are the ones includes/keys.lua builds from the tag.
 */
export interface ShardKeys {
  /** KEYS for the shard scripts: the base every key is named from (includes/keys.lua). */
  all: readonly string[];
  records: string;
  deadlines: string;
  active: string;
  pendingStarts: string;
  pendingEnds: string;
  log: string;
  armed: string;
  /** + epoch day: that day's ledger counters. */
  ledgerPrefix: string;
}

export function shardKeys(prefix: string, shard: number): ShardKeys {
  const tag = `{${prefix}:${shard}}`;
  const keys = {
    records: `${tag}:records`,
    deadlines: `${tag}:deadlines`,
    active: `${tag}:active`,
    pendingStarts: `${tag}:starting`,
    pendingEnds: `${tag}:ending`,
    log: `${tag}:log`,
    armed: `${tag}:armed`,
    ledgerPrefix: `${tag}:ledger:`,
  };
  return { ...keys, all: [tag] };
}
