/**
 * Redis going away: track() rejects fast with StoreUnavailableError and the tracker emits
 * `error`; when Redis is back (restarted with AOF, mid-traffic), tracking resumes and every
 * session still ends exactly once.
 */
import { randomUUID } from 'node:crypto';
import { createSessionTracker, type Session, StoreUnavailableError } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis({ aof: true });
});
afterAll(async () => {
  await server?.destroy();
});

function tracker(webTimeoutMs: number) {
  const t = createSessionTracker({
    backend: redisBackend({
      connection: server.url,
      prefix: `outage-${randomUUID()}`,
      queues: 2,
      commandTimeoutMs: 500,
      worker: { lockDurationMs: 2_000, stalledIntervalMs: 1_000 },
    }),
    channels: { web: { inactivityTimeoutMs: webTimeoutMs } },
  });
  const ends: Session[] = [];
  const errors: Error[] = [];
  t.on('sessionEnd', (s) => {
    ends.push(s);
  });
  t.on('error', (e) => {
    errors.push(e);
  });
  return { t, ends, errors };
}

describe('store failures, classified', () => {
  it('turns Redis out of memory (noeviction) into StoreUnavailableError, and recovers', async () => {
    const { t, errors } = tracker(60_000);
    const ref = { channel: 'web', conversationId: 'oom-1' };
    await t.track(ref, { direction: 'inbound' });
    await server.cli('config', 'set', 'maxmemory-policy', 'noeviction');
    await server.cli('config', 'set', 'maxmemory', '1');
    try {
      const failed = await t.track(ref, { direction: 'inbound' }).catch((error: Error) => error);
      expect(failed).toBeInstanceOf(StoreUnavailableError);
      expect((failed as Error).message).toMatch(/OOM/);
      expect(errors.filter((e) => e instanceof StoreUnavailableError)).toHaveLength(1);
    } finally {
      await server.cli('config', 'set', 'maxmemory', '0');
    }
    expect((await t.track(ref, { direction: 'inbound' })).session.interactions).toBe(2);
    await t.close();
  });

  it('fails the first call fast when Redis is down at start-up, and emits one error for the outage', async () => {
    const t = createSessionTracker({
      backend: redisBackend({ connection: 'redis://127.0.0.1:1', commandTimeoutMs: 20_000, worker: false }),
    });
    const errors: Error[] = [];
    t.on('error', (e) => {
      errors.push(e);
    });
    const untracked: string[] = [];
    t.on('untracked', (call) => void untracked.push(call.ref.conversationId));
    const started = Date.now();
    const calls = Array.from({ length: 5 }, (_, i) =>
      t
        .track({ channel: 'web', conversationId: `boot-${i}` }, { direction: 'inbound' })
        .catch((e: Error) => e),
    );
    for (const failed of await Promise.all(calls)) expect(failed).toBeInstanceOf(StoreUnavailableError);
    // Not the 20 s command timeout: the refused connection is the answer.
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect(t.get({ channel: 'web', conversationId: 'boot-0' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(errors.filter((e) => e instanceof StoreUnavailableError)).toHaveLength(1);
    // One error for the outage, but every message it kept from being counted is told.
    expect(untracked.sort()).toEqual(['boot-0', 'boot-1', 'boot-2', 'boot-3', 'boot-4']);
    await t.close(); // bounded, even though Redis was never there
  });
});

describe('when Redis goes away', () => {
  it('rejects track() with StoreUnavailableError, emits error, and resumes when Redis is back', async () => {
    const { t, errors } = tracker(60_000);
    const ref = { channel: 'web', conversationId: 'down-1', userId: 'u1' };
    const first = await t.track(ref, { direction: 'inbound' });
    await server.stop();
    await expect(t.track(ref, { direction: 'inbound' })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(errors.some((e) => e instanceof StoreUnavailableError)).toBe(true);
    await server.start();
    await eventually(async () => {
      // Resumes on the same session: AOF kept it.
      const again = await t.track(ref, { direction: 'inbound' }).catch(() => undefined);
      expect(again?.sessionId).toBe(first.sessionId);
    });
    expect((await t.get(ref))?.id).toBe(first.sessionId);
    await t.close();
  });

  it('loses no session and ends none twice when Redis restarts mid-traffic', async () => {
    const { t, ends } = tracker(1_500);
    const acknowledged = new Set<string>();
    let failures = 0;
    let stop = false;
    // Twenty conversations, each writing every 20 ms and moving to a new conversation (a new
    // session) every 10 messages, without waiting on each other: messages keep coming while
    // Redis is down.
    const lane = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const ref = { channel: 'web', conversationId: `mid-${i}-${Math.floor(n / 10)}` };
        await t.track(ref, { direction: 'inbound' }).then(
          (stamp) => acknowledged.add(stamp.sessionId),
          (error) => {
            expect(error).toBeInstanceOf(StoreUnavailableError);
            failures++;
          },
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const traffic = Promise.all(Array.from({ length: 20 }, (_, i) => lane(i)));
    await new Promise((resolve) => setTimeout(resolve, 700));
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 800));
    await server.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await traffic;
    expect(failures).toBeGreaterThan(0); // the outage was real
    await eventually(() => {
      for (const id of acknowledged) expect(ends.map((s) => s.id)).toContain(id);
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // room for duplicates
    const ids = ends.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ends.every((s) => s.endReason === 'inactivity' && s.endedAt === s.expiresAt)).toBe(true);
    // The ledger survived the restart (AOF) and counts each of them once.
    // From 0: every hour this prefix has counted in, however the run fell across hours.
    const rows = await t.report({ from: 0, to: Date.now() + 3_600_000 });
    expect(rows.map((r) => [r.sessions, r.endedTotal, r.active])).toEqual([[ids.length, ids.length, 0]]);
    expect(rows[0]!.interactions).toBe(ends.reduce((sum, s) => sum + s.interactions, 0));
    await t.close();
  });
});
