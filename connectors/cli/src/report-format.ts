import type { ReportRow } from '@botsession/core';
import { END_REASONS } from '@botsession/core';
import { csvLine } from './csv.js';
import { amount, count, duration, instant, isoOrEmpty } from './format.js';
import { drawTable, newTable } from './table.js';

const HOUR_MS = 3_600_000;

export interface ReportHeading {
  from: number;
  to: number;
  timeZone: string;
}

function labels(row: ReportRow, periods: boolean): string[] {
  return periods ? [row.channel, row.period?.label ?? ''] : [row.channel];
}

/**
 * The usage report as three tables a person reads: what happened in the range (sessions
 * started, messages, surveys, live now), how the sessions that ended in it ended, and how
 * long and how busy they were. Totals under the first two when there is more than one row.
 */
export function reportTables(rows: readonly ReportRow[], heading: ReportHeading): string {
  const range = `${instant(heading.from, heading.timeZone)} → ${instant(heading.to, heading.timeZone)} (${heading.timeZone})`;
  // The ledger counts per UTC hour, and an hour is in the range when it starts in it
  // (core/docs/report.md): say which hours that is when the range is not whole hours.
  const first = Math.ceil(heading.from / HOUR_MS) * HOUR_MS;
  const end = Math.ceil(heading.to / HOUR_MS) * HOUR_MS;
  const counted =
    first === heading.from && end === heading.to
      ? ''
      : `\nCounted by the hour: the hours from ${instant(first, heading.timeZone)} to ${instant(end, heading.timeZone)}`;
  if (rows.length === 0)
    return `Usage ${range}${counted}\n\nNo sessions, messages or live sessions in this range.\n`;
  const periods = rows.some((r) => r.period !== undefined);
  const key = periods ? ['channel', 'period'] : ['channel'];
  const totalKey = periods ? ['total', ''] : ['total'];

  const activity = newTable(
    [
      ...key,
      'sessions',
      'engaged',
      'interactions',
      'user msgs',
      'bot msgs',
      'surveys sent',
      'answered',
      'mean score',
      'live now',
    ],
    key.length,
  );
  for (const r of rows) {
    activity.push([
      ...labels(r, periods),
      count(r.sessions),
      count(r.engaged),
      count(r.interactions),
      count(r.userMessages),
      count(r.botMessages),
      count(r.surveys.sent),
      count(r.surveys.answered),
      amount(r.surveys.meanScore),
      count(r.active),
    ]);
  }

  const ends = newTable([...key, 'ended', ...END_REASONS], key.length);
  for (const r of rows)
    ends.push([
      ...labels(r, periods),
      count(r.endedTotal),
      ...END_REASONS.map((reason) => count(r.ended[reason])),
    ]);

  if (rows.length > 1) {
    const sum = (pick: (r: ReportRow) => number) => rows.reduce((total, r) => total + pick(r), 0);
    // `active` repeats in every period row of a channel: count each channel once.
    const liveNow = new Map(rows.map((r) => [r.channel, r.active]));
    activity.push([
      ...totalKey,
      count(sum((r) => r.sessions)),
      count(sum((r) => r.engaged)),
      count(sum((r) => r.interactions)),
      count(sum((r) => r.userMessages)),
      count(sum((r) => r.botMessages)),
      count(sum((r) => r.surveys.sent)),
      count(sum((r) => r.surveys.answered)),
      '',
      count([...liveNow.values()].reduce((a, b) => a + b, 0)),
    ]);
    ends.push([
      ...totalKey,
      count(sum((r) => r.endedTotal)),
      ...END_REASONS.map((reason) => count(sum((r) => r.ended[reason] ?? 0))),
    ]);
  }

  const shape = newTable(
    [...key, 'duration p50', 'p90', 'mean', 'interactions/session p50', 'p90', 'mean'],
    key.length,
  );
  for (const r of rows) {
    shape.push([
      ...labels(r, periods),
      duration(r.durationMs.p50),
      duration(r.durationMs.p90),
      duration(r.durationMs.mean),
      amount(r.interactionsPerSession.p50),
      amount(r.interactionsPerSession.p90),
      amount(r.interactionsPerSession.mean),
    ]);
  }

  return [
    `Usage ${range}${counted}`,
    '',
    'Sessions started and messages counted in the range, sessions live now',
    drawTable(activity, rows.length > 1 ? rows.length : undefined),
    '',
    'Sessions that ended in the range, by end reason',
    drawTable(ends, rows.length > 1 ? rows.length : undefined),
    '',
    'Duration and interactions of the sessions that ended in the range',
    drawTable(shape),
    "p50 and p90 are estimated from the ledger's histogram buckets; means are exact.",
    '',
  ].join('\n');
}

/** The CSV columns of a report row, one per field; times in ISO 8601 UTC, durations in ms. */
export const REPORT_CSV_COLUMNS = [
  'channel',
  'period',
  'period_from',
  'period_to',
  'sessions',
  'engaged',
  'ended_total',
  ...END_REASONS.map((reason) => `ended_${reason}`),
  'interactions',
  'user_messages',
  'bot_messages',
  'duration_ms_p50',
  'duration_ms_p90',
  'duration_ms_mean',
  'interactions_per_session_p50',
  'interactions_per_session_p90',
  'interactions_per_session_mean',
  'surveys_sent',
  'surveys_answered',
  'survey_mean_score',
  'active',
] as const;

/** The report as CSV: a header, then one record per row. */
export function reportCsv(rows: readonly ReportRow[]): string {
  let out = csvLine(REPORT_CSV_COLUMNS);
  for (const r of rows) {
    out += csvLine([
      r.channel,
      r.period?.label,
      isoOrEmpty(r.period?.from),
      isoOrEmpty(r.period?.to),
      r.sessions,
      r.engaged,
      r.endedTotal,
      ...END_REASONS.map((reason) => r.ended[reason] ?? 0),
      r.interactions,
      r.userMessages,
      r.botMessages,
      r.durationMs.p50,
      r.durationMs.p90,
      r.durationMs.mean,
      r.interactionsPerSession.p50,
      r.interactionsPerSession.p90,
      r.interactionsPerSession.mean,
      r.surveys.sent,
      r.surveys.answered,
      r.surveys.meanScore,
      r.active,
    ]);
  }
  return out;
}

/** The rows exactly as `tracker.report` gave them, as a JSON array. */
export function reportJson(rows: readonly ReportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}
