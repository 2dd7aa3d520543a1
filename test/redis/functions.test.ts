/**
 * How the backend runs its Lua: as a Redis Functions library (FCALL), loaded by the first call
 * that finds it missing, on every server; and as plain scripts (EVALSHA) where Functions are
 * not available (Redis before 7.0, or a user the server does not allow them), where the whole
 * conformance suite runs again.
 */
import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceSuite } from '../../core/test/conformance.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { prefixForCurrentTest } from './test-prefix.js';

let server: RedisServer;
let admin: Redis;
/** A user who may do everything but Functions: the backend must fall back to EVALSHA. */
let scriptsOnly: string;
beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
  await admin.call(
    'ACL',
    'SETUSER',
    'scripts',
    'on',
    '>pw',
    '~*',
    '&*',
    '+@all',
    '-function',
    '-fcall',
    '-fcall_ro',
  );
  scriptsOnly = server.url.replace('redis://', 'redis://scripts:pw@');
});
afterAll(async () => {
  admin?.disconnect();
  await server?.destroy();
});

async function libraries(): Promise<string[]> {
  const list = (await admin.call('FUNCTION', 'LIST')) as unknown[][];
  return list.map((library) => String(library[1]));
}

describe('Redis Functions', () => {
  it('loads its library with the first call and loads it again after FUNCTION FLUSH, mid-traffic, losing no call', async () => {
    await admin.call('FUNCTION', 'FLUSH');
    const tracker = createSessionTracker({
      backend: redisBackend({ connection: server.url, prefix: prefixForCurrentTest('fn'), shards: 4 }),
      channels: { web: { inactivityTimeoutMs: 3_600_000 } },
    });
    const refs = Array.from({ length: 20 }, (_, i) => ({
      channel: 'web',
      conversationId: `c${i}`,
      userId: `u${i}`,
    }));
    const from = Date.now() - 3_600_000; // takes the hour the traffic starts in
    await tracker.track(refs[0]!, { direction: 'inbound' });
    expect((await libraries()).filter((name) => name.startsWith('botsession_'))).toHaveLength(1);

    let flushes = 0;
    const flusher = (async () => {
      for (; flushes < 5; flushes++) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        await admin.call('FUNCTION', 'FLUSH');
      }
    })();
    let tracked = 1;
    const lanes = refs.map(async (ref) => {
      for (let i = 0; i < 40; i++) {
        await tracker.track(ref, { direction: 'inbound' });
        tracked++;
      }
    });
    await Promise.all([flusher, ...lanes]);
    expect(flushes).toBe(5);

    const [row] = await tracker.report({ from, to: Date.now() + 3_600_000 });
    expect(row?.interactions).toBe(tracked);
    expect(row?.sessions).toBe(20);
    await tracker.close();
  });

  it('loses no call when the library is flushed again between its load and the call that needed it', async () => {
    // FUNCTION FLUSH every 5 ms while 20 lanes call: a call that found the library missing
    // loads it (a millisecond or two of Redis time), and now and then the next flush lands
    // before that call is sent again. Without loading again then, some call fails in every run.
    await admin.call('FUNCTION', 'FLUSH');
    const tracker = createSessionTracker({
      backend: redisBackend({ connection: server.url, prefix: prefixForCurrentTest('fn-race'), shards: 4 }),
      channels: { web: { inactivityTimeoutMs: 3_600_000 } },
    });
    const from = Date.now() - 3_600_000; // takes the hour the traffic starts in
    let flushing = true;
    let flushes = 0;
    const flusher = (async () => {
      while (flushing) {
        await admin.call('FUNCTION', 'FLUSH');
        flushes++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    let tracked = 0;
    const lanes = Array.from({ length: 20 }, async (_, lane) => {
      const ref = { channel: 'web', conversationId: `race-${lane}`, userId: `u${lane}` };
      for (let i = 0; i < 100; i++) {
        await tracker.track(ref, { direction: 'inbound' });
        tracked++;
      }
    });
    const calls = await Promise.allSettled(lanes);
    flushing = false;
    await flusher;
    expect(calls.filter((call) => call.status === 'rejected')).toEqual([]);
    expect(flushes).toBeGreaterThan(10);
    const [row] = await tracker.report({ from, to: Date.now() + 3_600_000 });
    expect(row?.interactions).toBe(tracked);
    expect(tracked).toBe(2_000);
    await tracker.close();
  });
});

describe('scripts where Functions are not allowed', () => {
  it('runs on a user without FUNCTION and FCALL (EVALSHA), and loads no library', async () => {
    const probe = new Redis(scriptsOnly);
    await expect(probe.call('FUNCTION', 'LIST')).rejects.toThrow(/NOPERM/);
    probe.disconnect();
    await admin.call('FUNCTION', 'FLUSH');
    const tracker = createSessionTracker({
      backend: redisBackend({ connection: scriptsOnly, prefix: prefixForCurrentTest('scripts'), shards: 4 }),
      channels: { web: { inactivityTimeoutMs: 3_600_000 } },
    });
    const ref = { channel: 'web', conversationId: 'c1', userId: 'u1' };
    const first = await tracker.track(ref, { direction: 'inbound' });
    const second = await tracker.track(ref, { direction: 'inbound' });
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.session.interactions).toBe(2);
    expect(await libraries()).toEqual([]);
    await tracker.close();
  });
});

// The same options as redis-conformance.test.ts, on the user without Functions.
runConformanceSuite('redis backend without Functions (EVALSHA)', {
  clock: 'real',
  sharedStore: true,
  makeBackend: () =>
    redisBackend({
      connection: scriptsOnly,
      prefix: prefixForCurrentTest('conformance-scripts'),
      queues: 2,
      shards: 4,
      clock: 'tracker',
    }),
});
