/**
 * `tracker.report()`: rows per channel (and per hour or day) built from the store's ledger
 * counters. Pure: backends hand over counter values, this module sums and derives.
 * Every definition is written down in core/docs/report.md.
 */
import { DURATION_BUCKETS_MS, HOUR_MS, INTERACTION_BUCKETS } from './ledger.js';
import { END_REASONS, type EndReason } from './types.js';

export type ReportDimension = 'channel' | 'hour' | 'day';

export interface ReportQuery {
  /** Start of the range (epoch ms or Date), inclusive. The ledger counts per UTC hour: an hour belongs to the range when it starts in it. */
  from: number | Date;
  /** End of the range (epoch ms or Date), exclusive. */
  to: number | Date;
  /** Row grouping: always per channel; add 'hour' or 'day' for rows over time. Default ['channel']. */
  by?: ReportDimension[];
  /** IANA time zone for day boundaries and period labels. Default 'UTC'. */
  timeZone?: string;
  /** Only these channels. */
  channels?: string[];
}

/** p50/p90 estimated from the ledger's histogram buckets (linear within a bucket); null when empty. */
export interface Distribution {
  p50: number | null;
  p90: number | null;
  mean: number | null;
  /** The histogram itself: `counts[i]` values were <= `bounds[i]` (and above the previous bound); the last count is past every bound. */
  bounds: readonly number[];
  counts: number[];
  sum: number;
}

export interface ReportRow {
  channel: string;
  /** Set when `by` has 'hour' or 'day'. */
  period?: { from: number; to: number; label: string };
  /** Sessions started in the range. */
  sessions: number;
  /** Of those, sessions with at least one user message. */
  engaged: number;
  /** Sessions ended in the range, by reason. */
  ended: Record<EndReason, number>;
  endedTotal: number;
  /** Messages counted in the range, the user's and the bot's. */
  interactions: number;
  userMessages: number;
  botMessages: number;
  /** Durations (endedAt - startedAt, ms) of the sessions ended in the range. */
  durationMs: Distribution;
  /** Interactions of the sessions ended in the range. */
  interactionsPerSession: Distribution;
  /** Surveys sent in the range; answers within the survey window; mean of the scores given. */
  surveys: { sent: number; answered: number; meanScore: number | null };
  /** Live sessions of the channel now (the same in every period row of a channel). */
  active: number;
}

/** One ledger counter as a backend stores it. */
export interface LedgerCell {
  hour: number;
  channel: string;
  field: string;
  value: number;
}

export interface ResolvedQuery {
  from: number;
  to: number;
  byHour: boolean;
  byDay: boolean;
  timeZone: string;
  channels: string[] | undefined;
}

/** Checks a report query; errors name the field and the value. */
export function resolveQuery(query: ReportQuery): ResolvedQuery {
  if (typeof query !== 'object' || query === null) {
    throw new TypeError(`report query must be an object with from and to, got ${String(query)}`);
  }
  const from = toTime('from', query.from);
  const to = toTime('to', query.to);
  if (to < from) throw new TypeError(`report query.to must not be before query.from, got ${to} < ${from}`);
  const by = query.by ?? ['channel'];
  if (!Array.isArray(by) || by.some((d) => d !== 'channel' && d !== 'hour' && d !== 'day')) {
    throw new TypeError(`report query.by must list 'channel', 'hour' or 'day', got ${JSON.stringify(by)}`);
  }
  if (by.includes('hour') && by.includes('day')) {
    throw new TypeError(`report query.by takes 'hour' or 'day', not both, got ${JSON.stringify(by)}`);
  }
  const timeZone = query.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw new TypeError(`report query.timeZone must be an IANA time zone, got ${JSON.stringify(timeZone)}`);
  }
  const { channels } = query;
  if (channels !== undefined && (!Array.isArray(channels) || channels.some((c) => typeof c !== 'string'))) {
    throw new TypeError(
      `report query.channels must be a list of channel ids, got ${JSON.stringify(channels)}`,
    );
  }
  return { from, to, byHour: by.includes('hour'), byDay: by.includes('day'), timeZone, channels };
}

function toTime(field: string, value: unknown): number {
  const time = value instanceof Date ? value.getTime() : value;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new TypeError(
      `report query.${field} must be a Date or epoch milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return time;
}

/** The UTC hours whose start lies in [from, to). */
export function hoursOf(query: ResolvedQuery): { first: number; last: number } {
  const first = Math.ceil(query.from / HOUR_MS) * HOUR_MS;
  const last = Math.ceil(query.to / HOUR_MS) * HOUR_MS - HOUR_MS;
  return { first, last };
}

/** Rows from ledger cells (already limited to the query's hours) and live counts per channel. */
export function buildReport(
  query: ResolvedQuery,
  cells: Iterable<LedgerCell>,
  active: ReadonlyMap<string, number>,
): ReportRow[] {
  const labels = periodLabeller(query);
  const rows = new Map<string, ReportRow>();
  const wanted = query.channels === undefined ? undefined : new Set(query.channels);
  for (const cell of cells) {
    if (wanted !== undefined && !wanted.has(cell.channel)) continue;
    const period = labels(cell.hour);
    const key = period === undefined ? cell.channel : `${cell.channel}\u0000${period.label}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = emptyRow(cell.channel, active.get(cell.channel) ?? 0, period);
      rows.set(key, row);
    }
    if (period !== undefined) {
      row.period!.from = Math.min(row.period!.from, cell.hour);
      row.period!.to = Math.max(row.period!.to, cell.hour + HOUR_MS);
    }
    add(row, cell.field, cell.value);
  }
  // Channels with live sessions but nothing counted in the range still show (without periods).
  if (!query.byHour && !query.byDay) {
    for (const [channel, live] of active) {
      if (live > 0 && !rows.has(channel) && (wanted === undefined || wanted.has(channel))) {
        rows.set(channel, emptyRow(channel, live, undefined));
      }
    }
  }
  const result = [...rows.values()];
  for (const row of result) finish(row);
  return result.sort(
    (a, b) => a.channel.localeCompare(b.channel) || (a.period?.from ?? 0) - (b.period?.from ?? 0),
  );
}

function periodLabeller(
  query: ResolvedQuery,
): (hour: number) => { from: number; to: number; label: string } | undefined {
  if (!query.byHour && !query.byDay) return () => undefined;
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: query.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  return (hour) => {
    const parts = Object.fromEntries(format.formatToParts(hour).map((p) => [p.type, p.value]));
    const day = `${parts.year}-${parts.month}-${parts.day}`;
    const label = query.byDay ? day : `${day}T${parts.hour}:00`;
    return { from: hour, to: hour + HOUR_MS, label };
  };
}

function distribution(bounds: readonly number[]): Distribution {
  return { p50: null, p90: null, mean: null, bounds, counts: new Array(bounds.length + 1).fill(0), sum: 0 };
}

function emptyRow(
  channel: string,
  active: number,
  period: { from: number; to: number; label: string } | undefined,
): ReportRow {
  const ended = Object.fromEntries(END_REASONS.map((r) => [r, 0])) as Record<EndReason, number>;
  return {
    channel,
    ...(period === undefined ? {} : { period: { ...period } }),
    sessions: 0,
    engaged: 0,
    ended,
    endedTotal: 0,
    interactions: 0,
    userMessages: 0,
    botMessages: 0,
    durationMs: distribution(DURATION_BUCKETS_MS),
    interactionsPerSession: distribution(INTERACTION_BUCKETS),
    surveys: { sent: 0, answered: 0, meanScore: null },
    active,
  };
}

/** Score sums and counts, kept until `finish` turns them into a mean. */
const scoreParts = new WeakMap<ReportRow, { sum: number; count: number }>();

function add(row: ReportRow, field: string, value: number): void {
  const colon = field.indexOf(':');
  if (colon > 0) {
    const kind = field.slice(0, colon);
    const rest = field.slice(colon + 1);
    if (kind === 'end' && rest in row.ended) {
      row.ended[rest as EndReason] += value;
      row.endedTotal += value;
    } else if (kind === 'dur') row.durationMs.counts[Number(rest)]! += value;
    else if (kind === 'ips') row.interactionsPerSession.counts[Number(rest)]! += value;
    return;
  }
  switch (field) {
    case 'sessions':
      row.sessions += value;
      break;
    case 'engaged':
      row.engaged += value;
      break;
    case 'in':
      row.userMessages += value;
      row.interactions += value;
      break;
    case 'out':
      row.botMessages += value;
      row.interactions += value;
      break;
    case 'durSum':
      row.durationMs.sum += value;
      break;
    case 'ipsSum':
      row.interactionsPerSession.sum += value;
      break;
    case 'surveySent':
      row.surveys.sent += value;
      break;
    case 'surveyAnswered':
      row.surveys.answered += value;
      break;
    case 'scoreSum':
    case 'scoreCount': {
      const parts = scoreParts.get(row) ?? { sum: 0, count: 0 };
      if (field === 'scoreSum') parts.sum += value;
      else parts.count += value;
      scoreParts.set(row, parts);
      break;
    }
    default:
      break;
  }
}

function finish(row: ReportRow): void {
  for (const d of [row.durationMs, row.interactionsPerSession]) {
    const total = d.counts.reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    d.mean = d.sum / total;
    d.p50 = quantile(d, total, 0.5);
    d.p90 = quantile(d, total, 0.9);
  }
  const score = scoreParts.get(row);
  if (score !== undefined && score.count > 0) row.surveys.meanScore = score.sum / score.count;
}

/** Linear interpolation inside the bucket holding the q-th value; the open bucket answers its lower bound. */
function quantile(d: Distribution, total: number, q: number): number {
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < d.counts.length; i++) {
    const count = d.counts[i]!;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : d.bounds[i - 1]!;
      if (i >= d.bounds.length) return lower;
      const upper = d.bounds[i]!;
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return d.bounds[d.bounds.length - 1]!;
}
