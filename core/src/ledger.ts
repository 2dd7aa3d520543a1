/**
 * The ledger: counts per channel and UTC hour, kept by the store with the state change that
 * causes them, so that each session and each interaction is counted exactly once. Pure: this
 * module says which counters an event moves; the memory backend applies them in JS and the
 * Redis scripts mirror them in Lua (commands/includes/ledger.lua). Definitions: core/docs/report.md.
 */
import type { RuleResult, SessionEvent } from './rules.js';
import type { ChannelPolicy, Session } from './types.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Upper bounds (ms) of the session duration histogram; the last bucket is open. */
export const DURATION_BUCKETS_MS: readonly number[] = [
  1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
  14_400_000, 28_800_000, 43_200_000, 86_400_000, 172_800_000,
];

/** Upper bounds of the interactions-per-session histogram; the last bucket is open. */
export const INTERACTION_BUCKETS: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 200];

/** One counter move: `field` of `channel` in the UTC hour starting at `hour` grows by `by`. */
export interface LedgerEntry {
  hour: number;
  channel: string;
  field: string;
  by: number;
}

/** The hour (epoch ms, UTC) that holds `time`. */
export function hourOf(time: number): number {
  return time - (time % HOUR_MS);
}

/** Index of the first bucket whose bound is >= value (the open bucket past the last bound). */
export function bucketOf(bounds: readonly number[], value: number): number {
  let at = 0;
  while (at < bounds.length && value > bounds[at]!) at++;
  return at;
}

/** The counters an ended session moves, in the hour it ended. */
export function endEntries(session: Session): LedgerEntry[] {
  const hour = hourOf(session.endedAt!);
  const channel = session.channel;
  const durationMs = session.endedAt! - session.startedAt;
  return [
    { hour, channel, field: `end:${session.endReason}`, by: 1 },
    { hour, channel, field: `dur:${bucketOf(DURATION_BUCKETS_MS, durationMs)}`, by: 1 },
    { hour, channel, field: 'durSum', by: durationMs },
    { hour, channel, field: `ips:${bucketOf(INTERACTION_BUCKETS, session.interactions)}`, by: 1 },
    { hour, channel, field: 'ipsSum', by: session.interactions },
  ];
}

/**
 * The counters one applied event moves (never called for a redelivery: it moves nothing).
 * @param stored the conversation's active session before the event
 */
export function eventEntries(
  stored: Session | undefined,
  result: RuleResult,
  event: SessionEvent,
  policy: ChannelPolicy,
  now: number,
): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  if (result.ended !== undefined) entries.push(...endEntries(result.ended));
  const session = result.session;
  if (session === undefined) return entries;
  const channel = session.channel;
  const hour = hourOf(now);
  switch (event.type) {
    case 'message': {
      if (result.started !== undefined) {
        entries.push({ hour: hourOf(session.startedAt), channel, field: 'sessions', by: 1 });
      }
      const inbound = event.direction === 'inbound';
      entries.push({ hour, channel, field: inbound ? 'in' : 'out', by: 1 });
      // Engaged: the session's first user message, counted in the hour the session started.
      if (inbound && session.userMessages === 1) {
        entries.push({ hour: hourOf(session.startedAt), channel, field: 'engaged', by: 1 });
      }
      break;
    }
    case 'surveySent':
      entries.push({ hour, channel, field: 'surveySent', by: 1 });
      break;
    case 'surveyAnswered': {
      const sentAt = stored?.id === session.id ? stored.surveySentAt : undefined;
      if (sentAt === undefined || now - sentAt > policy.surveyWindowMs) break;
      entries.push({ hour, channel, field: 'surveyAnswered', by: 1 });
      if (event.score !== undefined) {
        entries.push({ hour, channel, field: 'scoreSum', by: event.score });
        entries.push({ hour, channel, field: 'scoreCount', by: 1 });
      }
      break;
    }
    default:
      break;
  }
  return entries;
}
