/**
 * The Redis backend on ioredis 6, the major a new user installs today (`@botsession/core`
 * accepts `ioredis@^5.9.2 || ^6`). The workspace builds against ioredis 5; here an ioredis 6
 * `Redis` (npm alias `ioredis6`) is the `connection`, so the backend's two clients are its
 * duplicates and BullMQ's queues and workers run on ioredis 6 too. The conformance suite runs
 * unchanged, then an outage: both are where a client's behaviour (offline queue, command
 * timeout, reconnection) shows. Last, an ioredis 6 `Cluster` on a 3-master Redis Cluster.
 */
import { createRequire } from 'node:module';
import { createSessionTracker, StoreUnavailableError } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Redis as Redis5 } from 'ioredis';
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis6';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceSuite } from '../../core/test/conformance.js';
import { eventually } from '../support/eventually.js';
import {
  type RedisCluster,
  type RedisServer,
  startRedis,
  startRedisCluster,
} from '../support/redis-server.js';
import { prefixForCurrentTest } from './test-prefix.js';

type Connection = Parameters<typeof redisBackend>[0]['connection'];

let server: RedisServer;
let client: Redis6;
beforeAll(async () => {
  server = await startRedis({ aof: true });
  client = new Redis6(server.url);
  // The outage below stops the server: the user's own client reconnects quietly.
  client.on('error', () => {});
});
afterAll(async () => {
  client?.disconnect();
  await server?.destroy();
});

/**
 * The workspace's types come from ioredis 5, whose classes have private members, so an
 * ioredis 6 instance needs a cast here; a user on ioredis 6 resolves core's `ioredis` types to
 * their own ioredis 6 and needs none (the pack check type-checks that project).
 */
const connection = () => client as unknown as Connection;

describe('the ioredis 6 under test', () => {
  it('is ioredis 6, a different class from the ioredis 5 the workspace builds with', () => {
    const version = createRequire(import.meta.url)('ioredis6/package.json').version as string;
    expect(version).toMatch(/^6\./);
    expect(client).not.toBeInstanceOf(Redis5);
    expect(client.duplicate()).toBeInstanceOf(Redis6);
  });
});

// The same options as redis-conformance.test.ts: the suite's clock skips ahead, so the
// tracker's clock dates sessions.
runConformanceSuite('redis backend on ioredis 6', {
  clock: 'real',
  sharedStore: true,
  makeBackend: () =>
    redisBackend({
      connection: connection(),
      prefix: prefixForCurrentTest('io6'),
      queues: 2,
      shards: 4,
      clock: 'tracker',
    }),
});

describe('ioredis 6 when Redis goes away', () => {
  it('rejects track() with StoreUnavailableError, emits error, resumes, and still ends the session', async () => {
    const tracker = createSessionTracker({
      backend: redisBackend({
        connection: connection(),
        prefix: prefixForCurrentTest('io6-outage'),
        queues: 2,
        commandTimeoutMs: 500,
        worker: { lockDurationMs: 2_000, stalledIntervalMs: 1_000 },
      }),
      // Long enough that the session outlives Redis's stop and start on a loaded machine (1.5 s
      // did not, beside two busy loops), short enough to see the inactivity end after it.
      channels: { web: { inactivityTimeoutMs: 6_000 } },
    });
    const errors: Error[] = [];
    const ends: string[] = [];
    tracker.on('error', (error) => {
      errors.push(error);
    });
    tracker.on('sessionEnd', (session) => {
      ends.push(`${session.id} ${session.endReason}`);
    });
    const ref = { channel: 'web', conversationId: 'io6-down', userId: 'u1' };
    const first = await tracker.track(ref, { direction: 'inbound' });
    await server.stop();
    await expect(tracker.track(ref, { direction: 'inbound' })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(errors.some((error) => error instanceof StoreUnavailableError)).toBe(true);
    await server.start();
    await eventually(async () => {
      // AOF kept the session: the next message lands in it.
      const again = await tracker.track(ref, { direction: 'inbound' }).catch(() => undefined);
      expect(again?.sessionId).toBe(first.sessionId);
    });
    await eventually(() => expect(ends).toEqual([`${first.sessionId} inactivity`]));
    await tracker.close();
  });
});

describe('ioredis 6 on Redis Cluster', () => {
  let cluster: RedisCluster;
  let clusterClient: Cluster6;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    clusterClient = new Cluster6(cluster.nodes);
  });
  afterAll(async () => {
    clusterClient?.disconnect();
    await cluster?.destroy();
  });

  it('spreads sessions over the three masters, and BullMQ ends each one once by inactivity', async () => {
    const prefix = prefixForCurrentTest('io6-cluster');
    const tracker = createSessionTracker({
      backend: redisBackend({
        connection: clusterClient as unknown as Connection,
        prefix,
        queues: 4,
        shards: 8,
      }),
      channels: { web: { inactivityTimeoutMs: 800 } },
    });
    const ends: string[] = [];
    tracker.on('sessionEnd', (session) => {
      ends.push(`${session.id} ${session.endReason}`);
    });
    const started: string[] = [];
    for (let i = 0; i < 12; i++) {
      const stamp = await tracker.track(
        { channel: 'web', conversationId: `io6-c${i}` },
        { direction: 'inbound' },
      );
      started.push(`${stamp.sessionId} inactivity`);
    }
    const masters = new Set<number | undefined>();
    for (const node of clusterClient.nodes('master')) {
      if ((await node.keys(`{${prefix}:[0-9]*}:records`)).length > 0) masters.add(node.options.port);
    }
    expect(masters.size).toBe(3);
    await eventually(() => expect([...ends].sort()).toEqual([...started].sort()));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a duplicate end
    expect(ends).toHaveLength(12);
    await tracker.close();
  });
});
