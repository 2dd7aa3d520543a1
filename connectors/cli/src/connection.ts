import { ConfigError, createSessionTracker, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { CliError, usageError } from './errors.js';

/** The connection flags every command takes. */
export interface ConnectionFlags {
  redis?: string;
  cluster?: string;
  prefix?: string;
  shards?: number;
  queues?: number;
}

/** redisBackend options the CLI takes as flags of the same name. */
const LAYOUT_FLAGS = ['prefix', 'shards', 'queues'] as const;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** How long the CLI waits to connect before it says the server is unreachable. */
const CONNECT_TIMEOUT_MS = 3_000;

export type Target =
  | { kind: 'redis'; url: string; display: string }
  | {
      kind: 'cluster';
      nodes: Array<{ host: string; port: number }>;
      redisOptions: RedisOptions;
      display: string;
    };

interface ParsedUrl {
  host: string;
  port: number;
  options: RedisOptions;
}

function parseRedisUrl(flag: string, text: string): ParsedUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(
      `${flag} must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got ${JSON.stringify(text)}`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw usageError(`${flag} must be a redis:// or rediss:// URL, got ${JSON.stringify(text)}`);
  }
  if (url.hostname === '') throw usageError(`${flag} has no host, got ${JSON.stringify(text)}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw usageError(`${flag} database must be a number (redis://host:port/0), got ${JSON.stringify(text)}`);
  }
  const options: RedisOptions = {};
  if (url.username !== '') options.username = decodeURIComponent(url.username);
  if (url.password !== '') options.password = decodeURIComponent(url.password);
  if (db !== '') options.db = Number(db);
  if (url.protocol === 'rediss:') options.tls = {};
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, options };
}

/** Where the flags point: one server (`--redis`, default local) or a cluster (`--cluster`). */
export function targetOf(flags: ConnectionFlags): Target {
  if (flags.redis !== undefined && flags.cluster !== undefined) {
    throw usageError('give --redis or --cluster, not both');
  }
  if (flags.cluster !== undefined) {
    const urls = flags.cluster
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    if (urls.length === 0) {
      throw usageError('--cluster must list one or more redis:// URLs separated by commas, got ""');
    }
    const parsed = urls.map((u) => parseRedisUrl('--cluster', u));
    if (parsed.some((p) => p.options.db !== undefined && p.options.db !== 0)) {
      throw usageError('--cluster URLs cannot name a database: Redis Cluster has only database 0');
    }
    const { db: _db, ...redisOptions } = parsed[0]!.options;
    return {
      kind: 'cluster',
      nodes: parsed.map(({ host, port }) => ({ host, port })),
      redisOptions,
      display: parsed.map(({ host, port }) => `${host}:${port}`).join(','),
    };
  }
  const url = flags.redis ?? DEFAULT_REDIS_URL;
  const { host, port } = parseRedisUrl('--redis', url);
  return { kind: 'redis', url, display: `${host}:${port}` };
}

/** Settings of the one-shot probe clients: one attempt, no retries, a bounded wait. */
const PROBE = { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0 } as const;

/** Connects `client` once and disconnects it; rejects with the reason the socket gave. */
async function probe(client: Redis | Cluster): Promise<void> {
  // The socket's own error (ECONNREFUSED, ENOTFOUND, WRONGPASS) says more than connect()'s
  // rejection, which is often just "Connection is closed".
  let cause: string | undefined;
  client.on('error', (error: Error & { lastNodeError?: Error }) => {
    // A cluster's "Failed to refresh slots cache." carries its last node's reason.
    cause ??= error.lastNodeError ? `${error.message} ${error.lastNodeError.message}` : error.message;
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(cause ?? (error instanceof Error ? error.message : String(error)));
  } finally {
    client.disconnect();
  }
}

/**
 * Connects once with no retries, so an unreachable server is one clear error within a few
 * seconds instead of a client retrying forever. The tracker then opens its own clients.
 */
async function checkReachable(target: Target): Promise<void> {
  if (target.kind === 'redis') {
    await probe(new Redis(target.url, { ...PROBE, retryStrategy: () => null })).catch((error: Error) => {
      throw new CliError(`cannot reach Redis at ${target.display}: ${error.message}`);
    });
    return;
  }
  // ioredis's Cluster hides why its startup nodes failed: ask them one by one first.
  let unreachable: string | undefined;
  for (const node of target.nodes) {
    try {
      await probe(new Redis({ ...target.redisOptions, ...node, ...PROBE, retryStrategy: () => null }));
      unreachable = undefined;
      break;
    } catch (error) {
      unreachable ??= `${node.host}:${node.port}: ${(error as Error).message}`;
    }
  }
  if (unreachable !== undefined) {
    throw new CliError(`cannot reach Redis Cluster at ${target.display}: ${unreachable}`);
  }
  await probe(
    new Cluster(target.nodes, {
      lazyConnect: true,
      clusterRetryStrategy: () => null,
      redisOptions: { ...target.redisOptions, ...PROBE },
    }),
  ).catch((error: Error) => {
    throw new CliError(`Redis Cluster at ${target.display} is not serving: ${error.message}`);
  });
}

/** A tracker on the operator's store, and how to let go of it. */
export interface OpenTracker {
  tracker: SessionTracker;
  close(): Promise<void>;
}

/**
 * A tracker on the operator's Redis that never runs expiry jobs (the bots' processes do).
 * Everything the CLI does goes through this tracker's methods.
 */
export async function openTracker(flags: ConnectionFlags): Promise<OpenTracker> {
  const target = targetOf(flags);
  await checkReachable(target);
  // A cluster is given to the backend as a client, which it duplicates and never closes:
  // this one is ours to close.
  const cluster =
    target.kind === 'cluster' ? new Cluster(target.nodes, { redisOptions: target.redisOptions }) : undefined;
  cluster?.on('error', () => {});
  const connection = target.kind === 'redis' ? target.url : cluster!;
  let backend: ReturnType<typeof redisBackend>;
  try {
    const layout = Object.fromEntries(
      LAYOUT_FLAGS.filter((flag) => flags[flag] !== undefined).map((flag) => [flag, flags[flag]]),
    );
    backend = redisBackend({ connection, worker: false, ...layout });
  } catch (error) {
    cluster?.disconnect();
    // Core checks these options and names them; the operator typed flags.
    if (error instanceof ConfigError && (LAYOUT_FLAGS as readonly string[]).includes(error.field)) {
      throw usageError(`--${error.message}`);
    }
    throw error;
  }
  const tracker = createSessionTracker({ backend });
  // Failures reach the operator through the rejected call; keep the event from throwing.
  tracker.on('error', () => {});
  return {
    tracker,
    async close() {
      try {
        await tracker.close();
      } finally {
        cluster?.disconnect();
      }
    },
  };
}
