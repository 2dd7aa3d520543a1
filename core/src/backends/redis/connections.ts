import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ResolvedRedisOptions } from './options.js';

export interface Connections {
  /** Our hot-path client: fails fast (no offline queue); every call has a deadline (deadline.ts). */
  commands: Redis | Cluster;
  /** BullMQ's client: waits through outages (BullMQ needs maxRetriesPerRequest: null). */
  queue: Redis | Cluster;
}

function isCluster(connection: unknown): connection is Cluster {
  return connection instanceof Cluster || (connection as { isCluster?: boolean })?.isCluster === true;
}

function isRedis(connection: unknown): connection is Redis {
  return connection instanceof Redis || typeof (connection as Redis)?.duplicate === 'function';
}

/**
 * Opens the two clients the backend needs. A given Redis/Cluster instance is duplicated
 * (same server, our settings), so the user's own client keeps its settings and stays theirs.
 */
export function openConnections(options: ResolvedRedisOptions): Connections {
  // No commandTimeout here: calls get their deadline from withDeadline (deadline.ts).
  const fast = { enableOfflineQueue: false } as const;
  const patient = { maxRetriesPerRequest: null, enableOfflineQueue: true } as const;
  const { connection } = options;
  if (isCluster(connection)) {
    const redisOptions = connection.options.redisOptions ?? {};
    return {
      commands: connection.duplicate(undefined, {
        enableOfflineQueue: false,
        redisOptions,
      }),
      queue: connection.duplicate(undefined, {
        enableOfflineQueue: true,
        redisOptions: { ...redisOptions, maxRetriesPerRequest: null },
      }),
    };
  }
  if (isRedis(connection)) {
    return { commands: connection.duplicate(fast), queue: connection.duplicate(patient) };
  }
  if (typeof connection === 'string') {
    return { commands: new Redis(connection, fast), queue: new Redis(connection, patient) };
  }
  const given = connection as RedisOptions;
  return { commands: new Redis({ ...given, ...fast }), queue: new Redis({ ...given, ...patient }) };
}
