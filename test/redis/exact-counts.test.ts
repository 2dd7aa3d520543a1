/**
 * Counts users bill on, under the faults production brings: redeliveries to another process,
 * process clocks that disagree, Redis frozen past the command timeout, a process killed
 * mid-traffic, an end redelivered after a crash. The store's ledger must match what happened.
 */
import { randomUUID } from 'node:crypto';
import {
  createSessionTracker,
  LateAnswerError,
  type ReportRow,
  type Session,
  type SessionStamp,
  StoreUnavailableError,
} from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { BotProcess } from './child/bot-process.js';

let server: RedisServer;
const running: BotProcess[] = [];
beforeAll(async () => {
  server = await startRedis({ aof: true });
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

const HOUR = 3_600_000;
const everything = () => ({ from: Date.now() - 2 * HOUR, to: Date.now() + 2 * HOUR });
const web = (conversationId: string) => ({ channel: 'web', conversationId, userId: `u-${conversationId}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function total(rows: ReportRow[], pick: (row: ReportRow) => number): number {
  return rows.reduce((sum, row) => sum + pick(row), 0);
}

describe('exact counts on Redis', () => {
  it('counts a platform redelivery that reaches another process once, with the original stamp', async () => {
    const [a, b] = await bots(2, { PREFIX: `redeliver-${randomUUID()}`, WEB_TIMEOUT_MS: '60000' });
    const first = await a!.track(web('r1'), 'inbound', 'update-1001');
    const again = await b!.track(web('r1'), 'inbound', 'update-1001');
    expect(again).toMatchObject({ sessionId: first.sessionId, redelivered: true, isNew: false });
    expect(again.session.interactions).toBe(1);
    const [row] = await b!.report(everything());
    expect(row).toMatchObject({ channel: 'web', sessions: 1, interactions: 1, userMessages: 1 });
  });

  it('dates sessions by Redis’s clock: a process 10 minutes ahead ends nothing early and splits nothing', async () => {
    const env = { PREFIX: `skew-${randomUUID()}`, WEB_TIMEOUT_MS: '1500' };
    const [normal] = await bots(1, env);
    const [ahead] = await bots(1, { ...env, CLOCK_SKEW_MS: String(10 * 60_000) });
    const ref = web('skew');
    const stamps: SessionStamp[] = [];
    for (let i = 0; i < 6; i++) {
      const before = Date.now();
      stamps.push(await (i % 2 === 0 ? normal : ahead)!.track(ref));
      // Dated within this test's (correct) clock, whichever process asked.
      expect(stamps[i]!.session.lastUserMessageAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(stamps[i]!.session.lastUserMessageAt).toBeLessThanOrEqual(Date.now() + 1_000);
      await sleep(200);
    }
    expect(new Set(stamps.map((s) => s.sessionId)).size).toBe(1);
    const last = stamps[stamps.length - 1]!.session;
    const ended = () => [...normal!.events, ...ahead!.events].filter((e) => e.event === 'end');
    await eventually(() => expect(ended()).toHaveLength(1));
    const end = ended()[0]!.session!;
    expect(end).toMatchObject({ id: last.id, endReason: 'inactivity', interactions: 6 });
    expect(end.endedAt).toBe(last.lastUserMessageAt! + 1_500);
  });

  it('gives rejected calls no effect: Redis frozen past the command timeout, then resumed', async () => {
    const tracker = createSessionTracker({
      backend: redisBackend({
        connection: server.url,
        prefix: `frozen-${randomUUID()}`,
        commandTimeoutMs: 400,
      }),
      channels: { web: { inactivityTimeoutMs: 60_000 } },
    });
    // A call that ran just before the freeze, its answer held by it, is rejected yet counted:
    // the one window no deadline closes. Core reports each one (LateAnswerError).
    let lateAnswers = 0;
    tracker.on('error', (error) => {
      if (error instanceof LateAnswerError) lateAnswers++;
    });
    const starts: Session[] = [];
    tracker.on('sessionStart', (s) => {
      starts.push(s);
    });
    await tracker.track(web('warm-up'), { direction: 'inbound' });
    let resolved = 0;
    let rejected = 0;
    let stop = false;
    const lane = async (i: number) => {
      for (let n = 0; !stop; n++) {
        await tracker.track(web(`f-${i}-${n % 3}`), { direction: 'inbound' }).then(
          () => resolved++,
          (error) => {
            expect(error).toBeInstanceOf(StoreUnavailableError);
            rejected++;
          },
        );
        await sleep(10);
      }
    };
    const traffic = Promise.all(Array.from({ length: 10 }, (_, i) => lane(i)));
    await sleep(300);
    server.pause();
    await sleep(1_500); // well past the 400 ms command timeout: calls in flight give up
    server.resume();
    await sleep(800);
    stop = true;
    await traffic;
    // Calls in flight during the freeze were rejected at their deadline, not held until Redis came back.
    expect(rejected).toBeGreaterThanOrEqual(10);
    const rows = await tracker.report(everything());
    // Every resolved call counted once, a rejected one only if reported late (+1: the warm-up).
    expect(total(rows, (r) => r.userMessages)).toBe(resolved + lateAnswers + 1);
    expect(lateAnswers).toBeLessThanOrEqual(10); // at most one per lane in flight at the freeze
    // Every session in the store was announced (here, or it would be by a sweep).
    expect(total(rows, (r) => r.sessions)).toBe(new Set(starts.map((s) => s.id)).size);
    await tracker.close();
  });

  it('keeps the ledger equal to the sessions that ended when a process is killed mid-traffic', async () => {
    const env = { PREFIX: `ledger-${randomUUID()}`, WEB_TIMEOUT_MS: '1500', LOCK_MS: '1500' };
    const [victim, survivor] = await bots(2, env);
    let stop = false;
    const lane = async (bot: BotProcess, i: number) => {
      for (let n = 0; !stop; n++) {
        await bot
          .track(web(`k-${i}-${Math.floor(n / 5)}`), n % 4 === 3 ? 'outbound' : 'inbound')
          .catch(() => {});
        await sleep(15);
      }
    };
    const traffic = Promise.all([
      ...Array.from({ length: 6 }, (_, i) => lane(victim!, i)),
      ...Array.from({ length: 6 }, (_, i) => lane(survivor!, i + 6)),
    ]);
    await sleep(1_200);
    await victim!.kill();
    await sleep(800);
    stop = true;
    await traffic;
    const ended = () => {
      const byId = new Map<string, Session>();
      for (const bot of [victim!, survivor!]) {
        for (const e of bot.events) if (e.event === 'end') byId.set(e.session!.id, e.session!);
      }
      return byId;
    };
    await eventually(async () => {
      const rows = await survivor!.report(everything());
      expect({ active: total(rows, (r) => r.active), ended: ended().size }).toEqual({
        active: 0,
        ended: total(rows, (r) => r.sessions),
      });
    }, 30_000);
    const rows = await survivor!.report(everything());
    const sessions = [...ended().values()];
    expect(total(rows, (r) => r.endedTotal)).toBe(sessions.length);
    expect(total(rows, (r) => r.interactions)).toBe(sessions.reduce((sum, s) => sum + s.interactions, 0));
    expect(total(rows, (r) => r.userMessages)).toBe(sessions.reduce((sum, s) => sum + s.userMessages, 0));
  }, 60_000);

  it('counts an end once when its delivery is redelivered after the worker died inside the hook', async () => {
    const env = { PREFIX: `reend-${randomUUID()}`, WEB_TIMEOUT_MS: '300', LOCK_MS: '1000' };
    const [stuck] = await bots(1, { ...env, HANG_ON_END: '1' });
    const stamp = await stuck!.track(web('hook'));
    await eventually(() => expect(stuck!.idsOf('delivering')).toEqual([stamp.sessionId]));
    await stuck!.kill();
    const [rescuer] = await bots(1, env);
    await eventually(() => expect(rescuer!.idsOf('end')).toEqual([stamp.sessionId]));
    const [row] = await rescuer!.report(everything());
    expect(row).toMatchObject({ sessions: 1, endedTotal: 1, active: 0 });
    expect(row!.ended.inactivity).toBe(1);
  });
});
