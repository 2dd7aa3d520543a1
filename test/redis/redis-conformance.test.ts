import { redisBackend } from '@botsession/core/redis';
import { afterAll, beforeAll } from 'vitest';
import { runConformanceSuite } from '../../core/test/conformance.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.destroy();
});

import { prefixForCurrentTest } from './test-prefix.js';

runConformanceSuite('redis backend', {
  clock: 'real',
  sharedStore: true,
  makeBackend: () =>
    redisBackend({
      connection: server.url,
      prefix: prefixForCurrentTest('conformance'),
      queues: 2,
      shards: 4,
      clock: 'tracker',
    }),
});
