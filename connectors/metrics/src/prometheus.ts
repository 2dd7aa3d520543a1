import { createRequire } from 'node:module';
import { ConfigError, END_REASONS } from '@botsession/core';
import type * as PromClient from 'prom-client';
import { DEFAULT_LATENESS_BUCKETS } from './lateness-buckets.js';
import { type ChannelFigures, type LedgerHistogram, type LedgerSnapshot, ledgerReader } from './ledger.js';
import { COMMON_FIELDS, type CommonMetricsOptions, checkFields, resolveCommon } from './options.js';
import { watchTracker } from './process-events.js';

export interface PrometheusOptions extends CommonMetricsOptions {
  /** The prom-client registry to register on (`new Registry()`, or `register` for the global one). */
  registry: PromClient.Registry;
  /** Prepended to every metric name. Default `'botsession_'`. */
  prefix?: string;
  /** Buckets of the end-lateness histogram, seconds. Default 0.05 s … 1 h. */
  latenessBuckets?: readonly number[];
}

/** What `prometheus()` returns: remove its metrics and listeners (a test, a hot reload). */
export interface PrometheusMetrics {
  /** The names registered, in registration order. */
  readonly names: readonly string[];
  /** Unsubscribes from the tracker and removes every metric from the registry. */
  close(): void;
}

const FIELDS = [...COMMON_FIELDS, 'registry', 'prefix', 'latenessBuckets'];

/**
 * Registers botsession's metrics on a prom-client registry. Ledger figures (sessions, ends,
 * interactions, surveys, active, duration and interactions-per-session summaries) are read from
 * `tracker.report` at scrape time, so every process on one Redis reports the same values; end
 * lateness, store errors and hook errors are this process's own observations.
 *
 * @example
 * const registry = new Registry();
 * prometheus({ tracker, registry });
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 */
export function prometheus(options: PrometheusOptions): PrometheusMetrics {
  checkFields('prometheus', options, FIELDS);
  const common = resolveCommon(options);
  const { registry } = options;
  if (typeof registry !== 'object' || registry === null || typeof registry.registerMetric !== 'function') {
    throw new ConfigError('registry', 'registry must be a prom-client Registry (new Registry() or register)');
  }
  const prefix = options.prefix ?? 'botsession_';
  if (typeof prefix !== 'string' || !/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) {
    throw new ConfigError(
      'prefix',
      `prefix must be a valid start of a Prometheus metric name, got ${JSON.stringify(prefix)}`,
    );
  }
  const latenessBuckets = options.latenessBuckets ?? DEFAULT_LATENESS_BUCKETS;
  if (
    !Array.isArray(latenessBuckets) ||
    latenessBuckets.length === 0 ||
    latenessBuckets.some(
      (b, i) => typeof b !== 'number' || !(b > 0) || (i > 0 && b <= latenessBuckets[i - 1]!),
    )
  ) {
    throw new ConfigError(
      'latenessBuckets',
      'latenessBuckets must be increasing positive numbers of seconds',
    );
  }
  const client = loadPromClient();
  const readLedger = ledgerReader(common.tracker, common);
  const registers = [registry];
  const names: string[] = [];
  const name = (suffix: string) => {
    names.push(prefix + suffix);
    return prefix + suffix;
  };

  // One ledger read per scrape: every ledger metric's collect asks for the same snapshot.
  const snapshot = async (): Promise<LedgerSnapshot | undefined> => {
    try {
      return await readLedger();
    } catch {
      // The store did not answer: the ledger series are left out of this scrape (absent, not
      // zero, so no counter seems to reset); `<prefix>ledger_up` says so.
      return undefined;
    }
  };

  const ledgerCounter = <L extends string>(
    suffix: string,
    help: string,
    labelNames: L[],
    values: (figures: ChannelFigures) => Array<[PromClient.LabelValues<L>, number]>,
  ) =>
    new client.Counter<L>({
      name: name(suffix),
      help,
      labelNames,
      registers,
      async collect() {
        const read = await snapshot();
        this.reset();
        for (const figures of read?.channels ?? []) {
          for (const [labels, value] of values(figures)) this.inc(labels, value);
        }
      },
    });

  ledgerCounter('sessions_started_total', 'Sessions started (the shared ledger).', ['channel'], (f) => [
    [{ channel: f.channel }, f.sessions],
  ]);
  ledgerCounter(
    'sessions_ended_total',
    'Sessions ended, by reason (the shared ledger).',
    ['channel', 'reason'],
    (f) => END_REASONS.map((reason) => [{ channel: f.channel, reason }, f.ended[reason]]),
  );
  ledgerCounter(
    'interactions_total',
    'Messages counted in sessions: inbound from users, outbound from the bot (the shared ledger).',
    ['channel', 'direction'],
    (f) => [
      [{ channel: f.channel, direction: 'inbound' }, f.userMessages],
      [{ channel: f.channel, direction: 'outbound' }, f.botMessages],
    ],
  );
  ledgerCounter('surveys_sent_total', 'Satisfaction surveys sent (the shared ledger).', ['channel'], (f) => [
    [{ channel: f.channel }, f.surveysSent],
  ]);
  ledgerCounter(
    'surveys_answered_total',
    'Satisfaction surveys answered (the shared ledger).',
    ['channel'],
    (f) => [[{ channel: f.channel }, f.surveysAnswered]],
  );
  new client.Gauge<'channel'>({
    name: name('sessions_active'),
    help: 'Sessions active now, read from the store at scrape time (the same from every process).',
    labelNames: ['channel'],
    registers,
    async collect() {
      const read = await snapshot();
      this.reset();
      for (const figures of read?.channels ?? []) this.set({ channel: figures.channel }, figures.active);
    },
  });
  ledgerHistogram(
    name('session_duration_seconds'),
    'Duration of ended sessions, seconds, by the hour they ended in (the shared ledger).',
    (f) => f.durationSeconds,
  );
  ledgerHistogram(
    name('session_interactions'),
    'Interactions (user and bot messages) per ended session (the shared ledger).',
    (f) => f.interactionsPerSession,
  );
  new client.Gauge({
    name: name('ledger_up'),
    help: '1 when this scrape read the ledger from the store, 0 when the store did not answer.',
    registers,
    async collect() {
      this.set((await snapshot()) === undefined ? 0 : 1);
    },
  });

  const lateness = new client.Histogram({
    name: name('session_end_lateness_seconds'),
    help: 'Time from an inactivity end’s deadline (endedAt) to its sessionEnd delivery in this process, seconds.',
    buckets: [...latenessBuckets],
    registers,
  });
  const storeErrors = new client.Counter({
    name: name('store_errors_total'),
    help: 'Store outages this process saw: StoreUnavailableError on the tracker’s error event (on Redis once per outage, not per call).',
    registers,
  });
  const untracked = new client.Counter<'channel' | 'event'>({
    name: name('untracked_total'),
    help: 'Messages (event inbound/outbound) and events (handoff, end, …) this process handled while the store was down: not counted anywhere.',
    labelNames: ['channel', 'event'],
    registers,
  });
  const hookErrors = new client.Counter<'hook'>({
    name: name('hook_errors_total'),
    help: 'sessionStart/sessionEnd handlers in this process that threw or rejected.',
    labelNames: ['hook'],
    registers,
  });
  // Zero series from the start, so rate() and alerts see 0 rather than nothing.
  hookErrors.inc({ hook: 'sessionStart' }, 0);
  hookErrors.inc({ hook: 'sessionEnd' }, 0);
  storeErrors.inc(0);

  const unwatch = watchTracker(
    common.tracker,
    {
      lateEnd: (seconds) => lateness.observe(seconds),
      storeError: () => storeErrors.inc(),
      untracked: (channel, event) => untracked.inc({ channel, event }),
      hookError: (hook) => hookErrors.inc({ hook }),
    },
    common,
  );

  function ledgerHistogram(
    metricName: string,
    help: string,
    of: (figures: ChannelFigures) => LedgerHistogram,
  ): void {
    // prom-client fills a Histogram from its own observations; these buckets are the ledger's,
    // so the snapshot's values replace the (empty) computed ones, in prom-client's own shape.
    const histogram = new client.Histogram<'channel'>({
      name: metricName,
      help,
      labelNames: ['channel'],
      buckets: [1],
      registers,
    });
    // The registry prefers prom-client's internal getForPromString when a metric has one (a
    // Histogram does): both paths answer with the ledger's values. The empty shape (name, help,
    // type) comes from the original method, which reads only the histogram's own observations.
    type Shape = Awaited<ReturnType<typeof histogram.get>>;
    const internal = histogram as unknown as { getForPromString?: () => Promise<Shape> };
    const shapeOf = (internal.getForPromString ?? histogram.get).bind(histogram);
    const fromLedger = async (): Promise<Shape> => {
      const [shape, read] = await Promise.all([shapeOf(), snapshot()]);
      const values: Shape['values'] = [];
      for (const figures of read?.channels ?? []) {
        const { bounds, counts, sum } = of(figures);
        let cumulative = 0;
        for (const [i, count] of counts.entries()) {
          cumulative += count;
          const le = i < bounds.length ? String(bounds[i]) : '+Inf';
          const labels = { channel: figures.channel, le };
          values.push({ metricName: `${metricName}_bucket`, labels, value: cumulative });
        }
        values.push({ metricName: `${metricName}_sum`, labels: { channel: figures.channel }, value: sum });
        values.push({
          metricName: `${metricName}_count`,
          labels: { channel: figures.channel },
          value: cumulative,
        });
      }
      return { ...shape, values };
    };
    histogram.get = fromLedger;
    if (internal.getForPromString !== undefined) internal.getForPromString = fromLedger;
  }

  return {
    names,
    close() {
      unwatch();
      for (const metric of names) registry.removeSingleMetric(metric);
    },
  };
}

function loadPromClient(): typeof PromClient {
  // Loaded here, not imported at the top, so that an OpenTelemetry-only user needs no prom-client.
  try {
    return createRequire(import.meta.url)('prom-client') as typeof PromClient;
  } catch (cause) {
    throw new ConfigError(
      'registry',
      `prometheus() needs prom-client 15 (npm install prom-client): ${(cause as Error).message}`,
    );
  }
}
