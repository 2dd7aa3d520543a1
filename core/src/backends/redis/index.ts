/**
 * `@botsession/core/redis`: sessions in Redis (or Redis Cluster), expiry through BullMQ.
 * See core/docs/redis.md for the data layout and the guarantees.
 */
import type { Backend } from '../../backend.js';
import type { RedisBackendOptions } from './options.js';
import { RedisBackend } from './redis-backend.js';

export type { RedisBackendOptions, RedisWorkerOptions } from './options.js';

/**
 * A backend for bots that run as several processes or on several machines.
 *
 * @example
 * import { createSessionTracker } from '@botsession/core';
 * import { redisBackend } from '@botsession/core/redis';
 * const tracker = createSessionTracker({ backend: redisBackend({ connection: 'redis://127.0.0.1:6379' }) });
 */
export function redisBackend(options: RedisBackendOptions): Backend {
  return new RedisBackend(options);
}
