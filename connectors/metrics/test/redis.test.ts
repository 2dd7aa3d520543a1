/**
 * Two bot processes' trackers on one real Redis: both expose the same ledger figures (so one
 * scrape target, or `max by`, gives the truth), an inactivity end is observed by the one process
 * that delivered it, and a Redis outage leaves the scrape working with ledger_up 0.
 */
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { prometheus } from '@botsession/metrics';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { type RedisServer, startRedis } from '../../../test/support/redis-server.js';
import { parseExposition, type Sample, sampleValue } from './exposition.js';

let redis: RedisServer;
let trackers: SessionTracker[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis({ aof: true }); // AOF: the outage test restarts it without losing the ledger
});
afterEach(async () => {
  await Promise.all(trackers.map((t) => t.close()));
  trackers = [];
});
afterAll(async () => {
  await redis?.destroy();
});

/** One "process": its own tracker, Redis connections and registry, on the shared prefix. */
function botProcess(prefix: string): { tracker: SessionTracker; registry: Registry } {
  const tracker = createSessionTracker({
    backend: redisBackend({ connection: redis.url, prefix }),
    channels: { web: { inactivityTimeoutMs: 1_000 } },
  });
  tracker.on('error', () => {});
  trackers.push(tracker);
  const registry = new Registry();
  prometheus({ tracker, registry });
  return { tracker, registry };
}

const PER_PROCESS = new Set([
  'botsession_session_end_lateness_seconds_bucket',
  'botsession_session_end_lateness_seconds_sum',
  'botsession_session_end_lateness_seconds_count',
  'botsession_store_errors_total',
  'botsession_hook_errors_total',
]);
const ledgerOnly = (samples: Sample[]) => samples.filter((s) => !PER_PROCESS.has(s.name));

describe('prometheus() on Redis, two processes', () => {
  it('reports the same ledger figures from both processes; each inactivity end is observed once', async () => {
    const prefix = `metrics${++prefixes}`;
    const a = botProcess(prefix);
    const b = botProcess(prefix);
    const web = (id: string) => ({ channel: 'web', conversationId: id });
    const tg = (id: string) => ({ channel: 'telegram', conversationId: id });
    // One conversation written by both processes, others by one each.
    await a.tracker.track(web('shared'), { direction: 'inbound' });
    await b.tracker.track(web('shared'), { direction: 'outbound' });
    await b.tracker.track(web('solo'), { direction: 'inbound' });
    await a.tracker.track(tg('t1'), { direction: 'inbound' });
    await b.tracker.handoff(tg('t1'));
    await b.tracker.track(tg('t2'), { direction: 'inbound' });

    // Both web sessions end by inactivity after 1 s, each delivered by one of the processes.
    await eventually(async () => {
      const samples = parseExposition(await a.registry.metrics());
      expect(
        sampleValue(samples, 'botsession_sessions_ended_total', { channel: 'web', reason: 'inactivity' }),
      ).toBe(2);
    });
    const [fromA, fromB] = await Promise.all([a.registry.metrics(), b.registry.metrics()]);
    const samplesA = parseExposition(fromA);
    const samplesB = parseExposition(fromB);
    expect(ledgerOnly(samplesA)).toEqual(ledgerOnly(samplesB));
    expect(sampleValue(samplesA, 'botsession_sessions_started_total', { channel: 'web' })).toBe(2);
    expect(
      sampleValue(samplesA, 'botsession_interactions_total', { channel: 'web', direction: 'inbound' }),
    ).toBe(2);
    expect(
      sampleValue(samplesA, 'botsession_interactions_total', { channel: 'web', direction: 'outbound' }),
    ).toBe(1);
    expect(
      sampleValue(samplesA, 'botsession_sessions_ended_total', { channel: 'telegram', reason: 'handoff' }),
    ).toBe(1);
    expect(sampleValue(samplesA, 'botsession_sessions_active', { channel: 'telegram' })).toBe(1);
    expect(sampleValue(samplesA, 'botsession_sessions_active', { channel: 'web' })).toBe(0);

    // Lateness is per process: the two processes' observations add up to the two ends, once each.
    await eventually(async () => {
      const counts = await Promise.all(
        [a, b].map(async (p) =>
          sampleValue(
            parseExposition(await p.registry.metrics()),
            'botsession_session_end_lateness_seconds_count',
          ),
        ),
      );
      expect(counts[0]! + counts[1]!).toBe(2);
    });
  });

  it('keeps answering scrapes while Redis is down (ledger_up 0, store errors counted), and recovers', async () => {
    const a = botProcess(`metrics${++prefixes}`);
    await a.tracker.track({ channel: 'sms', conversationId: '1' }, { direction: 'inbound' });
    await redis.stop();
    try {
      const down = parseExposition(await a.registry.metrics());
      expect(sampleValue(down, 'botsession_ledger_up')).toBe(0);
      expect(down.some((s) => s.name === 'botsession_sessions_started_total')).toBe(false);
      const again = parseExposition(await a.registry.metrics());
      expect(sampleValue(again, 'botsession_store_errors_total')).toBeGreaterThanOrEqual(1);
    } finally {
      await redis.start();
    }
    await eventually(async () => {
      const up = parseExposition(await a.registry.metrics());
      expect(sampleValue(up, 'botsession_ledger_up')).toBe(1);
      expect(sampleValue(up, 'botsession_sessions_started_total', { channel: 'sms' })).toBe(1);
    });
  });
});
