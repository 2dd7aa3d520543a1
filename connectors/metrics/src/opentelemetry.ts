import { ConfigError, END_REASONS } from '@botsession/core';
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { DEFAULT_LATENESS_BUCKETS } from './lateness-buckets.js';
import { ledgerReader } from './ledger.js';
import {
  COMMON_FIELDS,
  type CommonMetricsOptions,
  checkFields,
  positiveInteger,
  resolveCommon,
} from './options.js';
import { watchTracker } from './process-events.js';

export interface OpenTelemetryOptions extends CommonMetricsOptions {
  /** An `@opentelemetry/api` meter: `metrics.getMeter('botsession')`. */
  meter: Meter;
  /**
   * The window of the duration and interactions-per-session quantiles, ms (the ledger counts per
   * hour: the hours that start in the window). Default 1 h.
   */
  quantileWindowMs?: number;
}

/** What `openTelemetry()` returns. */
export interface OpenTelemetryMetrics {
  /** Stops observing the ledger and the tracker's events (instruments stay with the meter). */
  close(): void;
}

const FIELDS = [...COMMON_FIELDS, 'meter', 'quantileWindowMs'];

/**
 * Creates botsession's instruments on an OpenTelemetry meter. Ledger figures are observed from
 * `tracker.report` at each collection (one batch callback, so one read per collection): every
 * process on one Redis observes the same values. End lateness and store/hook errors are this
 * process's own. Names follow OpenTelemetry (`botsession.sessions.started`); a Prometheus
 * exporter turns them into the same names as `prometheus()`.
 *
 * @example
 * const meter = metrics.getMeter('botsession');
 * openTelemetry({ tracker, meter });
 */
export function openTelemetry(options: OpenTelemetryOptions): OpenTelemetryMetrics {
  checkFields('openTelemetry', options, FIELDS);
  const common = resolveCommon(options);
  const { meter } = options;
  if (
    typeof meter !== 'object' ||
    meter === null ||
    typeof meter.createObservableCounter !== 'function' ||
    typeof meter.addBatchObservableCallback !== 'function'
  ) {
    throw new ConfigError('meter', 'meter must be an @opentelemetry/api Meter (metrics.getMeter(name))');
  }
  const quantileWindowMs = positiveInteger('quantileWindowMs', options.quantileWindowMs, 3_600_000);
  const readLedger = ledgerReader(common.tracker, { ...common, quantileWindowMs });

  const started = meter.createObservableCounter('botsession.sessions.started', {
    description: 'Sessions started (the shared ledger).',
    unit: '{session}',
  });
  const ended = meter.createObservableCounter('botsession.sessions.ended', {
    description: 'Sessions ended, by reason (the shared ledger).',
    unit: '{session}',
  });
  const interactions = meter.createObservableCounter('botsession.interactions', {
    description: 'Messages counted in sessions, by direction (the shared ledger).',
    unit: '{message}',
  });
  const surveysSent = meter.createObservableCounter('botsession.surveys.sent', {
    description: 'Satisfaction surveys sent (the shared ledger).',
    unit: '{survey}',
  });
  const surveysAnswered = meter.createObservableCounter('botsession.surveys.answered', {
    description: 'Satisfaction surveys answered (the shared ledger).',
    unit: '{survey}',
  });
  const active = meter.createObservableGauge('botsession.sessions.active', {
    description: 'Sessions active now, read from the store (the same from every process).',
    unit: '{session}',
  });
  // OpenTelemetry has no summary instrument: the ledger's quantiles are gauges with a
  // `quantile` attribute (0.5, 0.9) over the quantile window.
  const duration = meter.createObservableGauge('botsession.session.duration', {
    description: 'Duration of sessions ended in the quantile window, by quantile (the shared ledger).',
    unit: 's',
  });
  const perSession = meter.createObservableGauge('botsession.session.interactions', {
    description: 'Interactions per session ended in the quantile window, by quantile (the shared ledger).',
    unit: '{message}',
  });
  const observables: Observable[] = [
    started,
    ended,
    interactions,
    surveysSent,
    surveysAnswered,
    active,
    duration,
    perSession,
  ];

  const observe = async (result: BatchObservableResult): Promise<void> => {
    let read: Awaited<ReturnType<typeof readLedger>>;
    try {
      read = await readLedger();
    } catch {
      return; // the store did not answer: nothing observed this time, rather than zeros
    }
    for (const f of read.channels) {
      const channel = { channel: f.channel };
      result.observe(started, f.sessions, channel);
      for (const reason of END_REASONS) result.observe(ended, f.ended[reason], { ...channel, reason });
      result.observe(interactions, f.userMessages, { ...channel, direction: 'inbound' });
      result.observe(interactions, f.botMessages, { ...channel, direction: 'outbound' });
      result.observe(surveysSent, f.surveysSent, channel);
      result.observe(surveysAnswered, f.surveysAnswered, channel);
      result.observe(active, f.active, channel);
      for (const [quantile, key] of [
        ['0.5', 'p50'],
        ['0.9', 'p90'],
      ] as const) {
        const seconds = f.recentDurationSeconds?.[key];
        if (seconds !== undefined && seconds !== null)
          result.observe(duration, seconds, { ...channel, quantile });
        const count = f.recentInteractionsPerSession?.[key];
        if (count !== undefined && count !== null)
          result.observe(perSession, count, { ...channel, quantile });
      }
    }
  };
  meter.addBatchObservableCallback(observe, observables);

  const lateness = meter.createHistogram('botsession.session.end_lateness', {
    description:
      'Time from an inactivity end’s deadline (endedAt) to its sessionEnd delivery in this process.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DEFAULT_LATENESS_BUCKETS] },
  });
  const storeErrors = meter.createCounter('botsession.store.errors', {
    description:
      'Store outages this process saw: StoreUnavailableError on the tracker’s error event (on Redis once per outage, not per call).',
    unit: '{error}',
  });
  const untracked = meter.createCounter('botsession.untracked', {
    description:
      'Messages (event inbound/outbound) and events (handoff, end, …) this process handled while the store was down: not counted anywhere.',
    unit: '{call}',
  });
  const hookErrors = meter.createCounter('botsession.hook.errors', {
    description: 'sessionStart/sessionEnd handlers in this process that threw or rejected.',
    unit: '{error}',
  });
  const unwatch = watchTracker(
    common.tracker,
    {
      lateEnd: (seconds) => lateness.record(seconds),
      storeError: () => storeErrors.add(1),
      untracked: (channel, event) => untracked.add(1, { channel, event }),
      hookError: (hook) => hookErrors.add(1, { hook }),
    },
    common,
  );

  return {
    close() {
      unwatch();
      meter.removeBatchObservableCallback(observe, observables);
    },
  };
}
