import { END_REASONS, type EndReason } from '@botsession/core';
import { channelLabels } from './channels.js';
import type { ReportingTracker, ReportRow } from './report.js';

/** p50 and p90 of a channel over the quantile window; null where nothing ended in it. */
export interface Quantiles {
  p50: number | null;
  p90: number | null;
}

/** One channel label's figures: all-time totals from the ledger, quantiles over the window. */
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
  /** Sum of the durations of every ended session, seconds: the ledger's mean × its count. */
  durationSecondsSum: number;
  /** Sum of the interactions of every ended session: the ledger's mean × its count. */
  interactionsSum: number;
  /** Undefined for `other`: percentiles of several channels cannot be combined. */
  durationSeconds: Quantiles | undefined;
  interactionsPerSession: Quantiles | undefined;
}

export interface LedgerSnapshot {
  channels: ChannelFigures[];
}

export interface LedgerReaderOptions {
  now: () => number;
  maxChannels: number;
  quantileWindowMs: number;
}

/**
 * Reads the ledger for one scrape or collection: all-time totals (`report({ from: 0 })`, cheap
 * by core's contract) and the quantiles of the last `quantileWindowMs`. Concurrent callers (the
 * metrics of one scrape) share one read, so a scrape costs two report calls whatever the metric count.
 */
export function ledgerReader(
  tracker: ReportingTracker,
  options: LedgerReaderOptions,
): () => Promise<LedgerSnapshot> {
  let reading: Promise<LedgerSnapshot> | undefined;
  const read = async (): Promise<LedgerSnapshot> => {
    const to = options.now();
    const [allTime, recent] = await Promise.all([
      tracker.report({ from: 0, to }),
      tracker.report({ from: Math.max(0, to - options.quantileWindowMs), to }),
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

function fold(allTime: ReportRow[], recent: ReportRow[], maxChannels: number): LedgerSnapshot {
  const labels = channelLabels(
    [...allTime, ...recent].map((row) => row.channel),
    maxChannels,
  );
  const byLabel = new Map<string, ChannelFigures>();
  const figuresOf = (label: string): ChannelFigures => {
    let figures = byLabel.get(label);
    if (figures === undefined) {
      figures = emptyFigures(label);
      byLabel.set(label, figures);
    }
    return figures;
  };
  for (const row of allTime) {
    const figures = figuresOf(labels.get(row.channel)!);
    figures.sessions += row.sessions;
    for (const reason of END_REASONS) figures.ended[reason] += row.ended[reason] ?? 0;
    figures.endedTotal += row.endedTotal;
    figures.userMessages += row.userMessages;
    figures.botMessages += row.botMessages;
    figures.surveysSent += row.surveys.sent;
    figures.surveysAnswered += row.surveys.answered;
    figures.active += row.active;
    figures.durationSecondsSum += ((row.durationMs.mean ?? 0) * row.endedTotal) / 1000;
    figures.interactionsSum += (row.interactionsPerSession.mean ?? 0) * row.endedTotal;
  }
  for (const row of recent) {
    const label = labels.get(row.channel)!;
    if (label !== row.channel) continue; // folded: no quantile for a mix of channels
    const figures = figuresOf(label);
    figures.durationSeconds = {
      p50: secondsOrNull(row.durationMs.p50),
      p90: secondsOrNull(row.durationMs.p90),
    };
    figures.interactionsPerSession = {
      p50: row.interactionsPerSession.p50,
      p90: row.interactionsPerSession.p90,
    };
  }
  return { channels: [...byLabel.values()] };
}

function emptyFigures(channel: string): ChannelFigures {
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
    durationSecondsSum: 0,
    interactionsSum: 0,
    durationSeconds: undefined,
    interactionsPerSession: undefined,
  };
}

function secondsOrNull(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}
