import { END_REASONS, type EndReason, type ReportRow, type SessionTracker } from '@botsession/core';
import { channelLabels } from './channels.js';

/** What the metrics read from a tracker: its ledger, and its events for per-process figures. */
export type ReportingTracker = Pick<SessionTracker, 'on' | 'report'>;

/** A histogram from the ledger: `counts[i]` values were ≤ `bounds[i]`; the last count is past every bound. */
export interface LedgerHistogram {
  bounds: readonly number[];
  counts: number[];
  sum: number;
}

/** p50 and p90 over the quantile window; null where nothing ended in it. */
export interface Quantiles {
  p50: number | null;
  p90: number | null;
}

/** One channel label's all-time figures from the ledger (and, if asked, quantiles over a window). */
export interface ChannelFigures {
  channel: string;
  sessions: number;
  ended: Record<EndReason, number>;
  endedTotal: number;
  userMessages: number;
  botMessages: number;
  surveysSent: number;
  surveysAnswered: number;
  active: number;
  /** Durations of ended sessions, in seconds. */
  durationSeconds: LedgerHistogram;
  interactionsPerSession: LedgerHistogram;
  /** Only with a quantile window, and never for `other` (percentiles of a mix cannot be combined). */
  recentDurationSeconds?: Quantiles;
  recentInteractionsPerSession?: Quantiles;
}

export interface LedgerSnapshot {
  channels: ChannelFigures[];
}

export interface LedgerReaderOptions {
  now: () => number;
  maxChannels: number;
  /** Also read the quantiles of the last this-many ms (a second report). */
  quantileWindowMs?: number;
}

const HOUR_MS = 3_600_000;

/**
 * Reads the ledger for one scrape or collection. All-time totals come from
 * `report({ from: 0, to })`, cheap by core's contract; `to` is an hour past now because the ledger
 * counts per hour and takes the hours that *start* in the range, so the current hour is always in.
 * The quantile window starts at the hour holding its first moment, for the same reason: taken
 * literally, a one-hour window would hold only the current hour, next to nothing a minute past it.
 * Concurrent callers (the metrics of one scrape) share one read.
 */
export function ledgerReader(
  tracker: ReportingTracker,
  options: LedgerReaderOptions,
): () => Promise<LedgerSnapshot> {
  let reading: Promise<LedgerSnapshot> | undefined;
  const read = async (): Promise<LedgerSnapshot> => {
    const now = options.now();
    const window = options.quantileWindowMs;
    const [allTime, recent] = await Promise.all([
      tracker.report({ from: 0, to: now + HOUR_MS }),
      window === undefined
        ? []
        : tracker.report({ from: Math.max(0, hourOf(now - window)), to: now + HOUR_MS }),
    ]);
    return fold(allTime, recent, options.maxChannels);
  };
  return () => {
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
}

const hourOf = (time: number) => Math.floor(time / HOUR_MS) * HOUR_MS;

function fold(allTime: ReportRow[], recent: ReportRow[], maxChannels: number): LedgerSnapshot {
  const labels = channelLabels(
    [...allTime, ...recent].map((row) => row.channel),
    maxChannels,
  );
  const byLabel = new Map<string, ChannelFigures>();
  const figuresOf = (label: string, template: ReportRow): ChannelFigures => {
    let figures = byLabel.get(label);
    if (figures === undefined) {
      figures = emptyFigures(label, template);
      byLabel.set(label, figures);
    }
    return figures;
  };
  for (const row of allTime) {
    const figures = figuresOf(labels.get(row.channel)!, row);
    figures.sessions += row.sessions;
    for (const reason of END_REASONS) figures.ended[reason] += row.ended[reason] ?? 0;
    figures.endedTotal += row.endedTotal;
    figures.userMessages += row.userMessages;
    figures.botMessages += row.botMessages;
    figures.surveysSent += row.surveys.sent;
    figures.surveysAnswered += row.surveys.answered;
    figures.active += row.active;
    addHistogram(figures.durationSeconds, row.durationMs.counts, row.durationMs.sum / 1000);
    addHistogram(
      figures.interactionsPerSession,
      row.interactionsPerSession.counts,
      row.interactionsPerSession.sum,
    );
  }
  for (const row of recent) {
    const label = labels.get(row.channel)!;
    if (label !== row.channel) continue; // folded into `other`: no quantile for a mix
    const figures = figuresOf(label, row);
    figures.recentDurationSeconds = {
      p50: row.durationMs.p50 === null ? null : row.durationMs.p50 / 1000,
      p90: row.durationMs.p90 === null ? null : row.durationMs.p90 / 1000,
    };
    figures.recentInteractionsPerSession = {
      p50: row.interactionsPerSession.p50,
      p90: row.interactionsPerSession.p90,
    };
  }
  return { channels: [...byLabel.values()] };
}

function addHistogram(into: LedgerHistogram, counts: readonly number[], sum: number): void {
  for (const [i, count] of counts.entries()) into.counts[i] = (into.counts[i] ?? 0) + count;
  into.sum += sum;
}

function emptyFigures(channel: string, template: ReportRow): ChannelFigures {
  const histogram = (bounds: readonly number[], scale: number): LedgerHistogram => ({
    bounds: bounds.map((bound) => bound / scale),
    counts: new Array(bounds.length + 1).fill(0),
    sum: 0,
  });
  return {
    channel,
    sessions: 0,
    ended: Object.fromEntries(END_REASONS.map((reason) => [reason, 0])) as Record<EndReason, number>,
    endedTotal: 0,
    userMessages: 0,
    botMessages: 0,
    surveysSent: 0,
    surveysAnswered: 0,
    active: 0,
    durationSeconds: histogram(template.durationMs.bounds, 1000),
    interactionsPerSession: histogram(template.interactionsPerSession.bounds, 1),
  };
}
