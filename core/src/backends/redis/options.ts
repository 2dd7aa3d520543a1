import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../../errors/config-error.js';

export interface RedisWorkerOptions {
  /** Expiry jobs one process runs at once, per queue. Default 50. */
  concurrency?: number;
  /** How long a worker owns a job before another may take it over (BullMQ lockDuration). Default 30 s. */
  lockDurationMs?: number;
  /** How often stalled jobs (their worker died) are looked for and redelivered. Default 30 s. */
  stalledIntervalMs?: number;
}

export interface RedisBackendOptions {
  /** A `redis://` URL, ioredis options, or an ioredis `Redis` or `Cluster` instance (duplicated, never closed by us). */
  connection: string | RedisOptions | Redis | Cluster;
  /** Prefix of every key, without braces. Default `botsession`. */
  prefix?: string;
  /**
   * How many shards conversations spread over (by a hash of the conversation). Each shard has
   * its own hash tag (its keys share a Redis Cluster slot), records, deadlines, ledger and
   * session log, and one expiry job chain. Default 16. Changing it on a running store
   * strands the old shards' sessions: pick it once.
   */
  shards?: number;
  /** How many BullMQ queues the shards' expiry jobs spread over. Default 4. */
  queues?: number;
  /** `false`: this process never runs expiry jobs. Default: it runs them with these options. */
  worker?: boolean | RedisWorkerOptions;
  /** How long `track()` waits for Redis before rejecting with StoreUnavailableError. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long the session log keeps an ended session (a stream per shard, trimmed by time). Default 7 days. */
  logRetentionMs?: number;
  /** How long the ledger keeps a day's counters. Default 400 days. */
  ledgerRetentionMs?: number;
  /**
   * Whose clock dates sessions and decides deadlines: 'redis' (default: Redis's TIME, one clock
   * for every process) or 'tracker' (the tracker's `now` option; for tests that move time).
   */
  clock?: 'redis' | 'tracker';
  /** How long a process has to acknowledge a hook it delivers before another process redelivers it. Default 30 s. */
  hookLeaseMs?: number;
}

export interface ResolvedRedisOptions {
  connection: RedisBackendOptions['connection'];
  prefix: string;
  shards: number;
  queues: number;
  worker: Required<RedisWorkerOptions> | false;
  commandTimeoutMs: number;
  logRetentionMs: number;
  ledgerRetentionMs: number;
  clock: 'redis' | 'tracker';
  hookLeaseMs: number;
}

const FIELDS = new Set([
  'connection',
  'prefix',
  'shards',
  'queues',
  'worker',
  'commandTimeoutMs',
  'logRetentionMs',
  'ledgerRetentionMs',
  'clock',
  'hookLeaseMs',
]);
const WORKER_FIELDS = new Set(['concurrency', 'lockDurationMs', 'stalledIntervalMs']);

function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 2_147_483_647) {
    throw new ConfigError(field, `${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

const DAY_MS = 86_400_000;

function positiveNumber(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(
      field,
      `${field} must be a positive integer of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function clockOption(value: unknown): 'redis' | 'tracker' {
  if (value === undefined) return 'redis';
  if (value !== 'redis' && value !== 'tracker') {
    throw new ConfigError('clock', `clock must be 'redis' or 'tracker', got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks the options at construction; every message names the field and the value. */
export function resolveRedisOptions(options: RedisBackendOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `redisBackend options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!FIELDS.has(key)) {
      throw new ConfigError(
        key,
        `${key} is not a redisBackend option (expected one of ${[...FIELDS].join(', ')})`,
      );
    }
  }
  const { connection } = options;
  if (
    connection === undefined ||
    connection === null ||
    (typeof connection !== 'string' && typeof connection !== 'object') ||
    (typeof connection === 'string' && !/^rediss?:\/\//.test(connection))
  ) {
    throw new ConfigError(
      'connection',
      `connection must be a redis:// URL, ioredis options or an ioredis Redis/Cluster, got ${JSON.stringify(connection)}`,
    );
  }
  const prefix = options.prefix ?? 'botsession';
  if (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix)) {
    throw new ConfigError(
      'prefix',
      `prefix must be a non-empty string without braces (they are added for Redis Cluster), got ${JSON.stringify(prefix)}`,
    );
  }
  let worker: ResolvedRedisOptions['worker'] = false;
  const given = options.worker ?? true;
  if (given !== false) {
    if (given !== true && (typeof given !== 'object' || given === null)) {
      throw new ConfigError('worker', `worker must be a boolean or an object, got ${JSON.stringify(given)}`);
    }
    const w = given === true ? {} : given;
    for (const key of Object.keys(w)) {
      if (!WORKER_FIELDS.has(key)) {
        throw new ConfigError(
          `worker.${key}`,
          `worker.${key} is not a worker option (expected one of ${[...WORKER_FIELDS].join(', ')})`,
        );
      }
    }
    worker = {
      concurrency: positiveInteger('worker.concurrency', w.concurrency, 50),
      lockDurationMs: positiveInteger('worker.lockDurationMs', w.lockDurationMs, 30_000),
      stalledIntervalMs: positiveInteger('worker.stalledIntervalMs', w.stalledIntervalMs, 30_000),
    };
  }
  return {
    connection,
    prefix,
    shards: positiveInteger('shards', options.shards, 16),
    queues: positiveInteger('queues', options.queues, 4),
    worker,
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, 2_000),
    logRetentionMs: positiveNumber('logRetentionMs', options.logRetentionMs, 7 * DAY_MS),
    ledgerRetentionMs: positiveNumber('ledgerRetentionMs', options.ledgerRetentionMs, 400 * DAY_MS),
    clock: clockOption(options.clock),
    hookLeaseMs: positiveInteger('hookLeaseMs', options.hookLeaseMs, 30_000),
  };
}
