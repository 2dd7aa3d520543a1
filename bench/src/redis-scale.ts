/**
 * The Redis backend at scale (issue 16's targets), on one local redis-server:
 * - Redis bytes per live session, everything included: its record (with the delivery ids of
 *   three user messages), its deadline entry, its share of the ledger; default Redis config;
 * - a burst: 200,000 sessions whose deadlines fall in the same second, ended by one process
 *   with trivial hooks: ends per second and lateness after the deadline;
 * - steady traffic: sessions arriving at 4,000/s, 100,000 live, each ending 25 s after its
 *   message: lateness of each end after its deadline.
 */
import { createSessionTracker, type Session } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { startRedis } from '@botsession/system-tests/redis-server';
import { Redis } from 'ioredis';
import { formatBytes, formatRate, report } from './format.js';
import { inParallel } from './redis-counts.js';

const LIVE = 100_000;
const BURST = 200_000;
const STEADY_RATE = 4_000;
const STEADY_TIMEOUT_MS = 25_000;

async function usedMemory(client: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runRedisScaleBench(): Promise<void> {
  console.log('\nRedis backend at scale (one local redis-server, default config)');
  const server = await startRedis();
  const client = new Redis(server.url);
  try {
    // 1. Bytes per live session, everything included.
    {
      const tracker = createSessionTracker({
        backend: redisBackend({ connection: server.url, prefix: 'bench-live', worker: false }),
        channels: { telegram: { inactivityTimeoutMs: 24 * 3_600_000 } },
      });
      const before = await usedMemory(client);
      for (let message = 0; message < 3; message++) {
        await inParallel(LIVE, (i) =>
          tracker.track(
            { channel: 'telegram', conversationId: String(100_000_000 + i), userId: String(200_000_000 + i) },
            { direction: 'inbound', deliveryId: String(900_000_000 + i * 3 + message) },
          ),
        );
      }
      const perSession = ((await usedMemory(client)) - before) / LIVE;
      report('Redis bytes per live session (3 messages with ids), target <= 400 B', formatBytes(perSession));
      await tracker.close();
      await client.flushall();
    }

    // 2. A burst: every deadline in the same second. The sessions are opened on a frozen
    // clock (clock: 'tracker'), so their deadlines are equal; another tracker, on the real
    // clock, ends them.
    {
      const timeoutMs = 40_000;
      const frozenAt = Date.now();
      const opener = createSessionTracker({
        backend: redisBackend({
          connection: server.url,
          prefix: 'bench-burst',
          worker: false,
          clock: 'tracker',
        }),
        channels: { web: { inactivityTimeoutMs: timeoutMs } },
        now: () => frozenAt,
      });
      const ender = createSessionTracker({
        backend: redisBackend({ connection: server.url, prefix: 'bench-burst', clock: 'tracker' }),
        channels: { web: { inactivityTimeoutMs: timeoutMs } },
      });
      const lateness: number[] = [];
      ender.on('sessionEnd', (session: Session) => {
        lateness.push(Date.now() - session.endedAt!);
      });
      const started = Date.now();
      await inParallel(BURST, (i) =>
        opener.track({ channel: 'web', conversationId: `b-${i}` }, { direction: 'inbound' }),
      );
      report(
        '  burst: sessions opened per second (200 in flight)',
        formatRate(BURST / ((Date.now() - started) / 1000)),
      );
      const deadline = frozenAt + timeoutMs;
      while (lateness.length < BURST && Date.now() < deadline + 120_000) await sleep(100);
      const done = Date.now();
      lateness.sort((a, b) => a - b);
      report(
        `burst: ${BURST.toLocaleString('en-US')} ends, same deadline: ends per second, one process, target >= 20k/s`,
        formatRate(lateness.length / Math.max(0.001, (done - deadline) / 1000)),
      );
      report(
        '  burst: lateness p50 / p99 / max, target p99 <= 2 s',
        `${percentile(lateness, 50)} / ${percentile(lateness, 99)} / ${lateness[lateness.length - 1]} ms (${lateness.length} ends)`,
      );
      await Promise.all([opener.close(), ender.close()]);
      await client.flushall();
    }

    // 3. Steady traffic at 4,000 new sessions a second.
    {
      const tracker = createSessionTracker({
        backend: redisBackend({ connection: server.url, prefix: 'bench-steady' }),
        channels: { web: { inactivityTimeoutMs: STEADY_TIMEOUT_MS } },
      });
      const lateness: number[] = [];
      tracker.on('sessionEnd', (session: Session) => {
        lateness.push(Date.now() - session.endedAt!);
      });
      const total = (STEADY_RATE * STEADY_TIMEOUT_MS) / 1000; // 100,000: all live at the peak
      const tick = 50;
      const perTick = (STEADY_RATE * tick) / 1000;
      const t0 = Date.now();
      for (let sent = 0; sent < total; sent += perTick) {
        await Promise.all(
          Array.from({ length: perTick }, (_, i) =>
            tracker.track({ channel: 'web', conversationId: `s-${sent + i}` }, { direction: 'inbound' }),
          ),
        );
        const due = t0 + ((sent + perTick) / STEADY_RATE) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const achieved = total / ((Date.now() - t0) / 1000);
      while (lateness.length < total && Date.now() < t0 + STEADY_TIMEOUT_MS * 3 + 60_000) await sleep(100);
      lateness.sort((a, b) => a - b);
      report(
        `steady: ${formatRate(achieved)} arriving, ${total.toLocaleString('en-US')} live: lateness p50 / p99, target p99 <= 100 ms`,
        `${percentile(lateness, 50)} / ${percentile(lateness, 99)} / max ${lateness[lateness.length - 1]} ms (${lateness.length} ends)`,
      );
      await tracker.close();
    }
  } finally {
    await client.quit();
    await server.destroy();
  }
}
