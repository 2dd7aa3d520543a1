/**
 * prometheus(): the figures of a scripted run through the real tracker, the text checked by
 * Debian's promtool, channels folded into `other`, per-process lateness and errors, a store outage.
 */
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { prometheus } from '@botsession/metrics';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { parseExposition, promtoolCheck, sampleValue } from './exposition.js';
import { EXPECTED, scriptedRun, T0 } from './scripted-run.js';

let tracker: SessionTracker;
let registry: Registry;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(T0);
  registry = new Registry();
});
afterEach(async () => {
  await tracker?.close();
  vi.useRealTimers();
});

async function scrape() {
  const text = await registry.metrics();
  return { text, samples: parseExposition(text) };
}

describe('prometheus()', () => {
  it('reports the scripted run: starts, ends by reason, interactions, surveys, active', async () => {
    tracker = createSessionTracker();
    prometheus({ tracker, registry });
    await scriptedRun(tracker);
    const { samples } = await scrape();
    for (const [channel, value] of Object.entries(EXPECTED.started)) {
      expect(sampleValue(samples, 'botsession_sessions_started_total', { channel })).toBe(value);
    }
    for (const [channel, reason, value] of EXPECTED.ended) {
      expect(sampleValue(samples, 'botsession_sessions_ended_total', { channel, reason })).toBe(value);
    }
    // Every reason is present (as 0) for every channel, so rate() never starts from nothing.
    expect(
      sampleValue(samples, 'botsession_sessions_ended_total', { channel: 'web', reason: 'manual' }),
    ).toBe(0);
    for (const [channel, direction, value] of EXPECTED.interactions) {
      expect(sampleValue(samples, 'botsession_interactions_total', { channel, direction })).toBe(value);
    }
    for (const [channel, value] of Object.entries(EXPECTED.active)) {
      expect(sampleValue(samples, 'botsession_sessions_active', { channel })).toBe(value);
    }
    expect(sampleValue(samples, 'botsession_surveys_sent_total', { channel: 'telegram' })).toBe(1);
    expect(sampleValue(samples, 'botsession_surveys_answered_total', { channel: 'telegram' })).toBe(1);
    expect(sampleValue(samples, 'botsession_ledger_up')).toBe(1);
  });

  it('gives duration and interactions-per-session histograms from the ledger’s buckets', async () => {
    tracker = createSessionTracker();
    prometheus({ tracker, registry });
    await scriptedRun(tracker);
    const { samples } = await scrape();
    const d = EXPECTED.webDurationSeconds;
    const bucket = (le: string) =>
      sampleValue(samples, 'botsession_session_duration_seconds_bucket', { channel: 'web', le });
    expect([bucket('10'), bucket('30'), bucket('60'), bucket('120'), bucket('300'), bucket('+Inf')]).toEqual([
      0,
      d.le30,
      d.le60,
      d.le120,
      d.le300,
      d.count,
    ]);
    expect(bucket('86400')).toBe(3); // the buckets reach 24 h (and 48 h) in seconds
    expect(sampleValue(samples, 'botsession_session_duration_seconds_sum', { channel: 'web' })).toBe(d.sum);
    expect(sampleValue(samples, 'botsession_session_duration_seconds_count', { channel: 'web' })).toBe(
      d.count,
    );
    const i = EXPECTED.webInteractions;
    const ips = (le: string) =>
      sampleValue(samples, 'botsession_session_interactions_bucket', { channel: 'web', le });
    expect([ips('1'), ips('2'), ips('3'), ips('+Inf')]).toEqual([i.le1, i.le2, i.le3, 3]);
    expect(sampleValue(samples, 'botsession_session_interactions_sum', { channel: 'web' })).toBe(i.sum);
    // The channels' histograms agree with tracker.report, the one source.
    const [row] = await tracker.report({ from: 0, to: Date.now() + 3_600_000, channels: ['telegram'] });
    expect(sampleValue(samples, 'botsession_session_duration_seconds_count', { channel: 'telegram' })).toBe(
      row!.endedTotal,
    );
    expect(sampleValue(samples, 'botsession_session_duration_seconds_sum', { channel: 'telegram' })).toBe(
      row!.durationMs.sum / 1000,
    );
  });

  it('passes promtool check metrics', async () => {
    tracker = createSessionTracker();
    prometheus({ tracker, registry });
    await scriptedRun(tracker);
    const { text } = await scrape();
    const { code, output } = await promtoolCheck(text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('folds channels past maxChannels into other: core’s channels first, then alphabetical', async () => {
    tracker = createSessionTracker();
    prometheus({ tracker, registry, maxChannels: 3 });
    for (const channel of ['zoo', 'kiosk', 'sms', 'web', 'alexa']) {
      await tracker.track({ channel, conversationId: 'x' }, { direction: 'inbound' });
    }
    await tracker.track({ channel: 'zoo', conversationId: 'y' }, { direction: 'inbound' });
    const { samples } = await scrape();
    const started = samples.filter((s) => s.name === 'botsession_sessions_started_total');
    expect(Object.fromEntries(started.map((s) => [s.labels.channel, s.value]))).toEqual({
      web: 1,
      sms: 1,
      alexa: 1,
      other: 3, // kiosk 1 + zoo 2
    });
  });

  it('observes end lateness for inactivity ends only, an end delivered twice once, and hook errors', async () => {
    tracker = createSessionTracker();
    // This process's clock is 7 s ahead of the store's: every end is delivered "7 s late".
    prometheus({ tracker, registry, now: () => Date.now() + 7_000 });
    tracker.on('sessionEnd', () => {
      throw new Error('the CRM is down');
    });
    await scriptedRun(tracker);
    const { samples } = await scrape();
    const lateness = (le: string) =>
      sampleValue(samples, 'botsession_session_end_lateness_seconds_bucket', { le });
    expect([lateness('5'), lateness('10'), lateness('+Inf')]).toEqual([0, 1, 1]); // c3 only
    expect(sampleValue(samples, 'botsession_session_end_lateness_seconds_sum')).toBe(7);
    expect(sampleValue(samples, 'botsession_hook_errors_total', { hook: 'sessionEnd' })).toBe(5);
    expect(sampleValue(samples, 'botsession_hook_errors_total', { hook: 'sessionStart' })).toBe(0);
  });

  it('keeps scraping through a store outage: ledger series left out, ledger_up 0, store errors counted', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    tracker.on('error', () => {});
    prometheus({ tracker, registry });
    await expect(
      tracker.track({ channel: 'web', conversationId: 'a' }, { direction: 'inbound' }),
    ).rejects.toThrow(/unavailable/);
    expect(sampleValue((await scrape()).samples, 'botsession_store_errors_total')).toBe(1); // the track
    const { text, samples } = await scrape();
    expect(sampleValue(samples, 'botsession_ledger_up')).toBe(0);
    expect(samples.filter((s) => s.name === 'botsession_sessions_started_total')).toEqual([]);
    // The first scrape's own report call found the store down too (counted after it was written).
    expect(sampleValue(samples, 'botsession_store_errors_total')).toBe(2);
    expect((await promtoolCheck(text)).code).toBe(0);
  });

  it('counts every message and event the store did not take, per channel and event, bounded', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    tracker.on('error', () => {});
    prometheus({ tracker, registry, maxChannels: 14 }); // core's 13 channels and one more
    const fail = (call: Promise<unknown>) => call.catch(() => undefined);
    const web = { channel: 'web', conversationId: 'a' };
    await fail(tracker.track(web, { direction: 'inbound' }));
    await fail(tracker.track(web, { direction: 'inbound' }));
    await fail(tracker.track(web, { direction: 'outbound' }));
    await fail(tracker.handoff(web));
    await fail(tracker.track({ channel: 'kiosk', conversationId: 'k' }, { direction: 'inbound' }));
    await fail(tracker.track({ channel: 'voice', conversationId: 'v' }, { direction: 'inbound' }));
    await fail(tracker.get(web)); // a read: nothing went uncounted
    const { text, samples } = await scrape();
    const untracked = (channel: string, event: string) =>
      sampleValue(samples, 'botsession_untracked_total', { channel, event });
    expect(untracked('web', 'inbound')).toBe(2);
    expect(untracked('web', 'outbound')).toBe(1);
    expect(untracked('web', 'handoff')).toBe(1);
    expect(untracked('kiosk', 'inbound')).toBe(1);
    expect(untracked('other', 'inbound')).toBe(1); // past maxChannels labels
    expect(samples.filter((s) => s.name === 'botsession_untracked_total')).toHaveLength(5);
    expect((await promtoolCheck(text)).code).toBe(0);
  });

  it('uses the prefix, and close() removes its metrics from the registry', async () => {
    tracker = createSessionTracker();
    const metrics = prometheus({ tracker, registry, prefix: 'shop_bot_' });
    await tracker.track({ channel: 'web', conversationId: 'a' }, { direction: 'inbound' });
    const { samples } = await scrape();
    expect(sampleValue(samples, 'shop_bot_sessions_started_total', { channel: 'web' })).toBe(1);
    expect(metrics.names.every((name) => name.startsWith('shop_bot_'))).toBe(true);
    metrics.close();
    expect(await registry.metrics()).toBe('\n');
  });

  it('throws ConfigError naming the field for bad options', () => {
    tracker = createSessionTracker();
    expect(() => prometheus({ tracker, registry, prefix: '1bad' })).toThrow(/prefix must be/);
    expect(() => prometheus({ tracker, registry: {} as Registry })).toThrow(
      /registry must be a prom-client Registry/,
    );
    expect(() => prometheus({ tracker: {} as SessionTracker, registry })).toThrow(/tracker must be/);
    expect(() => prometheus({ tracker, registry, maxChannels: 0 })).toThrow(
      /maxChannels must be a positive integer, got 0/,
    );
    expect(() => prometheus({ tracker, registry, regsitry: registry } as never)).toThrow(
      /regsitry is not a prometheus option/,
    );
  });
});
