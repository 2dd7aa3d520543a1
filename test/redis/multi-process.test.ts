/**
 * Several bot processes on one real Redis: the guarantees that only show across processes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { BotProcess } from './child/bot-process.js';

let server: RedisServer;
const running: BotProcess[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await server?.destroy();
});

async function bots(count: number, env: Record<string, string>): Promise<BotProcess[]> {
  const started = Array.from({ length: count }, () => new BotProcess({ REDIS_URL: server.url, ...env }));
  running.push(...started);
  await Promise.all(started.map((p) => p.ready));
  return started;
}

const web = (conversationId: string) => ({ channel: 'web', conversationId, userId: `u-${conversationId}` });

describe('several processes on one Redis', () => {
  it('gives 50 racing first messages from 5 processes one session id, which ends once', async () => {
    const prefix = `race-${randomUUID()}`;
    const processes = await bots(5, { PREFIX: prefix, WEB_TIMEOUT_MS: '1500' });
    const ref = web('race');
    const stamps = await Promise.all(
      Array.from({ length: 50 }, (_, i) => processes[i % processes.length]!.track(ref)),
    );
    expect(new Set(stamps.map((s) => s.sessionId)).size).toBe(1);
    expect(stamps.filter((s) => s.isNew)).toHaveLength(1);
    expect(stamps.map((s) => s.session.userMessages).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    // The losers of the race each left an expiry job for a session that never opened:
    // those jobs must find nothing to end.
    const ended = () => processes.flatMap((p) => p.idsOf('end'));
    await eventually(() => expect(ended()).toEqual([stamps[0]!.sessionId]));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(ended()).toEqual([stamps[0]!.sessionId]);
  });

  it('ends every session once, from another process, after kill -9 of the one that started them', async () => {
    const prefix = `kill-${randomUUID()}`;
    const [starter] = await bots(1, { PREFIX: prefix, WEB_TIMEOUT_MS: '1500' });
    const stamps = await Promise.all(Array.from({ length: 20 }, (_, i) => starter!.track(web(`k${i}`))));
    await starter!.kill();
    const survivors = await bots(2, { PREFIX: prefix, WEB_TIMEOUT_MS: '1500' });
    const ended = () => survivors.flatMap((p) => p.idsOf('end'));
    await eventually(() => expect(ended()).toHaveLength(20));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a duplicate to show up
    expect(ended().sort()).toEqual(stamps.map((s) => s.sessionId).sort());
    for (const event of survivors.flatMap((p) => p.events.filter((e) => e.event === 'end'))) {
      expect(event.session).toMatchObject({ endReason: 'inactivity' });
      const started = stamps.find((s) => s.sessionId === event.session!.id)!;
      expect(event.session!.endedAt).toBe(started.session.expiresAt);
    }
  });

  it('redelivers an end, with the same session id, when the worker dies inside the hook', async () => {
    const prefix = `hook-${randomUUID()}`;
    const env = { PREFIX: prefix, WEB_TIMEOUT_MS: '300', LOCK_MS: '1000' };
    const [stuck] = await bots(1, { ...env, HANG_ON_END: '1' });
    const stamp = await stuck!.track(web('hook'));
    await eventually(() => expect(stuck!.idsOf('delivering')).toEqual([stamp.sessionId]));
    await stuck!.kill();
    const [rescuer] = await bots(1, env);
    await eventually(() => expect(rescuer!.idsOf('end')).toEqual([stamp.sessionId]));
    const redelivered = rescuer!.events.find((e) => e.event === 'end')!.session!;
    expect(redelivered).toMatchObject({ id: stamp.sessionId, endReason: 'inactivity' });
    expect(redelivered.endedAt).toBe(stamp.session.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two more stalled checks
    expect(rescuer!.idsOf('end')).toEqual([stamp.sessionId]);
  });
});
