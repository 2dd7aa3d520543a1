import { createSessionTracker, type Session } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceSuite } from '../../core/test/conformance.js';
import { eventually } from '../support/eventually.js';
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

describe('redis backend: the session log of a sweep', () => {
  it('holds every session one sweep ended together, once, with its end', async () => {
    // Opened on a frozen clock, so every deadline is the same: one sweep batch ends them all.
    const prefix = prefixForCurrentTest('log-batch');
    const frozenAt = Date.now();
    const opener = createSessionTracker({
      backend: redisBackend({ connection: server.url, prefix, shards: 2, worker: false, clock: 'tracker' }),
      channels: { web: { inactivityTimeoutMs: 1_000 } },
      now: () => frozenAt,
    });
    const opened = new Set<string>();
    for (let i = 0; i < 40; i++) {
      opened.add(
        (await opener.track({ channel: 'web', conversationId: `c${i}` }, { direction: 'inbound' })).sessionId,
      );
    }
    await opener.close();
    const ender = createSessionTracker({
      backend: redisBackend({ connection: server.url, prefix, shards: 2, clock: 'tracker' }),
      channels: { web: { inactivityTimeoutMs: 1_000 } },
    });
    const ends: Session[] = [];
    ender.on('sessionEnd', (session) => {
      ends.push(session);
    });
    await eventually(() => expect(ends).toHaveLength(40));
    const logged: Session[] = [];
    for await (const session of ender.endedSessions({ since: frozenAt - 60_000, channel: 'web' }))
      logged.push(session);
    expect(new Set(logged.map((s) => s.id))).toEqual(opened);
    expect(logged).toHaveLength(40);
    for (const session of logged) {
      expect(session).toMatchObject({ endReason: 'inactivity', endedAt: frozenAt + 1_000, interactions: 1 });
    }
    await ender.close();
  });
});
