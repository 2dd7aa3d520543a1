/**
 * openTelemetry(): the OpenTelemetry SDK's in-memory exporter sees the same figures as the
 * Prometheus text of the same run, and the quantiles core reports.
 */
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { openTelemetry, prometheus } from '@botsession/metrics';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { parseExposition, sampleValue } from './exposition.js';
import { EXPECTED, scriptedRun, T0 } from './scripted-run.js';

let tracker: SessionTracker;
let provider: MeterProvider;
let exporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(T0);
  exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // A long interval: the test collects with forceFlush, never on a timer.
  reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  provider = new MeterProvider({ readers: [reader] });
});
afterEach(async () => {
  await tracker?.close();
  vi.useRealTimers();
  await provider.shutdown();
});

interface Point {
  metric: string;
  attributes: Record<string, unknown>;
  value: unknown;
}

async function collect(): Promise<Point[]> {
  exporter.reset();
  // The SDK races the export against a setTimeout: let the fake clock move (10 ms, no deadline near).
  const flushing = reader.forceFlush();
  await vi.advanceTimersByTimeAsync(10);
  await flushing;
  const points: Point[] = [];
  for (const resource of exporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          points.push({
            metric: metric.descriptor.name,
            attributes: point.attributes as Record<string, unknown>,
            value: point.value,
          });
        }
      }
    }
  }
  return points;
}

const pointOf = (points: Point[], metric: string, attributes: Record<string, string>) =>
  points.find(
    (p) =>
      p.metric === metric &&
      JSON.stringify(Object.entries(p.attributes).sort()) ===
        JSON.stringify(Object.entries(attributes).sort()),
  )?.value;

describe('openTelemetry()', () => {
  it('sees the same numbers as the Prometheus view of the same run', async () => {
    tracker = createSessionTracker();
    openTelemetry({ tracker, meter: provider.getMeter('botsession') });
    const registry = new Registry();
    prometheus({ tracker, registry });
    await scriptedRun(tracker);
    const points = await collect();
    const samples = parseExposition(await registry.metrics());

    for (const [channel, value] of Object.entries(EXPECTED.started)) {
      expect(pointOf(points, 'botsession.sessions.started', { channel })).toBe(value);
      expect(sampleValue(samples, 'botsession_sessions_started_total', { channel })).toBe(value);
    }
    for (const [channel, reason, value] of EXPECTED.ended) {
      expect(pointOf(points, 'botsession.sessions.ended', { channel, reason })).toBe(value);
    }
    for (const [channel, direction, value] of EXPECTED.interactions) {
      expect(pointOf(points, 'botsession.interactions', { channel, direction })).toBe(value);
    }
    for (const [channel, value] of Object.entries(EXPECTED.active)) {
      expect(pointOf(points, 'botsession.sessions.active', { channel })).toBe(value);
    }
    expect(pointOf(points, 'botsession.surveys.sent', { channel: 'telegram' })).toBe(1);
    expect(pointOf(points, 'botsession.surveys.answered', { channel: 'telegram' })).toBe(1);
    // Every ledger point equals its Prometheus sample.
    const pairs: Array<[string, string]> = [
      ['botsession.sessions.started', 'botsession_sessions_started_total'],
      ['botsession.sessions.ended', 'botsession_sessions_ended_total'],
      ['botsession.interactions', 'botsession_interactions_total'],
      ['botsession.sessions.active', 'botsession_sessions_active'],
    ];
    for (const [otel, prom] of pairs) {
      const fromOtel = points.filter((p) => p.metric === otel);
      expect(fromOtel.length).toBeGreaterThan(0);
      for (const p of fromOtel) {
        expect(sampleValue(samples, prom, p.attributes as Record<string, string>)).toBe(p.value);
      }
    }
  });

  it('gives the duration and interactions quantiles core reports over the quantile window', async () => {
    tracker = createSessionTracker();
    openTelemetry({ tracker, meter: provider.getMeter('botsession'), quantileWindowMs: 3_600_000 });
    await scriptedRun(tracker);
    const points = await collect();
    const [web] = await tracker.report({
      from: Date.now() - 3_600_000,
      to: Date.now() + 3_600_000,
      channels: ['web'],
    });
    expect(web!.durationMs.p50).not.toBeNull();
    expect(pointOf(points, 'botsession.session.duration', { channel: 'web', quantile: '0.5' })).toBe(
      web!.durationMs.p50! / 1000,
    );
    expect(pointOf(points, 'botsession.session.duration', { channel: 'web', quantile: '0.9' })).toBe(
      web!.durationMs.p90! / 1000,
    );
    expect(pointOf(points, 'botsession.session.interactions', { channel: 'web', quantile: '0.5' })).toBe(
      web!.interactionsPerSession.p50,
    );
    // No session of sms ended: no quantile is made up for it.
    expect(
      pointOf(points, 'botsession.session.duration', { channel: 'sms', quantile: '0.5' }),
    ).toBeUndefined();
  });

  it('keeps the quantiles of the previous hour a minute past the hour: the window takes whole ledger hours', async () => {
    tracker = createSessionTracker();
    openTelemetry({ tracker, meter: provider.getMeter('botsession'), quantileWindowMs: 3_600_000 });
    await scriptedRun(tracker); // every session of the run ends in the 10:00 hour
    await vi.advanceTimersByTimeAsync(T0 + 3_600_000 + 60_000 - Date.now()); // 11:01
    const points = await collect();
    const [web] = await tracker.report({ from: T0, to: T0 + 7_200_000, channels: ['web'] });
    expect(web!.durationMs.p50).not.toBeNull();
    expect(pointOf(points, 'botsession.session.duration', { channel: 'web', quantile: '0.5' })).toBe(
      web!.durationMs.p50! / 1000,
    );
  });

  it('counts the messages and events the store did not take, by channel and event', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    tracker.on('error', () => {});
    openTelemetry({ tracker, meter: provider.getMeter('botsession') });
    const ref = { channel: 'telegram', conversationId: 't' };
    for (let i = 0; i < 3; i++) await tracker.track(ref, { direction: 'inbound' }).catch(() => undefined);
    await tracker.end(ref, 'manual').catch(() => undefined);
    const points = await collect();
    expect(pointOf(points, 'botsession.untracked', { channel: 'telegram', event: 'inbound' })).toBe(3);
    expect(pointOf(points, 'botsession.untracked', { channel: 'telegram', event: 'end' })).toBe(1);
  });

  it('records end lateness and hook errors of this process', async () => {
    tracker = createSessionTracker();
    openTelemetry({ tracker, meter: provider.getMeter('botsession'), now: () => Date.now() + 7_000 });
    tracker.on('sessionEnd', () => {
      throw new Error('the CRM is down');
    });
    await scriptedRun(tracker);
    const points = await collect();
    expect(pointOf(points, 'botsession.session.end_lateness', {})).toMatchObject({ count: 1, sum: 7 });
    expect(pointOf(points, 'botsession.hook.errors', { hook: 'sessionEnd' })).toBe(5);
  });

  it('throws ConfigError naming the field for a bad meter', () => {
    tracker = createSessionTracker();
    expect(() => openTelemetry({ tracker, meter: {} as never })).toThrow(
      /meter must be an @opentelemetry\/api Meter/,
    );
    expect(() => openTelemetry({ tracker, meter: provider.getMeter('x'), quantileWindowMs: -1 })).toThrow(
      /quantileWindowMs must be a positive integer, got -1/,
    );
  });
});
