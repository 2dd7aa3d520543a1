/**
 * The same conformance suite, unchanged, on a local 3-master Redis Cluster: every key of a
 * conversation shares a hash tag and every expiry queue has its own, so nothing crosses slots.
 */
import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceSuite } from '../../core/test/conformance.js';
import { type RedisCluster, startRedisCluster } from '../support/redis-server.js';
import { prefixForCurrentTest } from './test-prefix.js';

let cluster: RedisCluster;
let client: Cluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster(cluster.nodes);
});
afterAll(async () => {
  await client?.quit();
  await cluster?.destroy();
});

runConformanceSuite('redis backend on Redis Cluster', {
  clock: 'real',
  sharedStore: true,
  makeBackend: () =>
    redisBackend({
      connection: client,
      prefix: prefixForCurrentTest('cluster'),
      queues: 3,
      clock: 'tracker',
    }),
});

describe('exact counts on Redis Cluster', () => {
  it('counts a redelivery that reaches another tracker (another connection) once', async () => {
    const prefix = `redeliver-${Date.now().toString(36)}`;
    const first = createSessionTracker({
      backend: redisBackend({ connection: client, prefix, worker: false }),
    });
    const second = createSessionTracker({
      backend: redisBackend({ connection: client, prefix, worker: false }),
    });
    const ref = { channel: 'telegram', conversationId: 'c-1', userId: 'u-1' };
    const original = await first.track(ref, { direction: 'inbound', deliveryId: '5001' });
    const again = await second.track(ref, { direction: 'inbound', deliveryId: '5001' });
    expect(again).toMatchObject({ sessionId: original.sessionId, redelivered: true, isNew: false });
    const range = { from: 0, to: Date.now() + 3_600_000 }; // every hour, however the run fell
    const [row] = await second.report(range);
    expect(row).toMatchObject({ channel: 'telegram', sessions: 1, interactions: 1, active: 1 });
    await Promise.all([first.close(), second.close()]);
  });
});

describe('Redis Cluster layout', () => {
  it('spreads conversations and expiry queues over all three masters', async () => {
    const prefix = `layout-${Date.now().toString(36)}`;
    const tracker = createSessionTracker({
      backend: redisBackend({ connection: client, prefix, queues: 8, shards: 16 }),
    });
    for (let i = 0; i < 30; i++) {
      await tracker.track({ channel: 'web', conversationId: `spread-${i}` }, { direction: 'inbound' });
    }
    const mastersHolding = async (pattern: string) => {
      const owners = new Set<number | undefined>();
      for (const node of client.nodes('master')) {
        if ((await node.keys(pattern)).length > 0) owners.add(node.options.port);
      }
      return owners.size;
    };
    expect(await mastersHolding(`{${prefix}:[0-9]*}:records`)).toBe(3);
    expect(await mastersHolding(`{${prefix}:q:*}*`)).toBeGreaterThan(1);
    await tracker.close();
  });
});
