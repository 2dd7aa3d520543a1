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

/**
 * Where counter moves go: `field` of `channel` in the UTC hour starting at `hour` grows by
 * `by`. A callback, not a list: the memory backend's hot path allocates nothing for them.
 */
export type LedgerSink = (hour: number, channel: string, field: string, by: number) => void;

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
export function countEnd(session: Session, add: LedgerSink): void {
  const hour = hourOf(session.endedAt!);
  const channel = session.channel;
  const durationMs = session.endedAt! - session.startedAt;
  add(hour, channel, `end:${session.endReason}`, 1);
  add(hour, channel, `dur:${bucketOf(DURATION_BUCKETS_MS, durationMs)}`, 1);
  add(hour, channel, 'durSum', durationMs);
  add(hour, channel, `ips:${bucketOf(INTERACTION_BUCKETS, session.interactions)}`, 1);
  add(hour, channel, 'ipsSum', session.interactions);
}

/**
 * The counters one applied event moves (never called for a redelivery: it moves nothing).
 * @param stored the conversation's active session before the event
 */
export function countEvent(
  stored: Session | undefined,
  result: RuleResult,
  event: SessionEvent,
  policy: ChannelPolicy,
  now: number,
  add: LedgerSink,
): void {
  if (result.ended !== undefined) countEnd(result.ended, add);
  const session = result.session;
  if (session === undefined) return;
  const channel = session.channel;
  const hour = hourOf(now);
  switch (event.type) {
    case 'message': {
      if (result.started !== undefined) add(hourOf(session.startedAt), channel, 'sessions', 1);
      const inbound = event.direction === 'inbound';
      add(hour, channel, inbound ? 'in' : 'out', 1);
      // Engaged: the session's first user message, counted in the hour the session started.
      if (inbound && session.userMessages === 1) add(hourOf(session.startedAt), channel, 'engaged', 1);
      break;
    }
    case 'surveySent':
      add(hour, channel, 'surveySent', 1);
      break;
    case 'surveyAnswered': {
      const sentAt = stored?.id === session.id ? stored.surveySentAt : undefined;
      if (sentAt === undefined || now - sentAt > policy.surveyWindowMs) break;
      add(hour, channel, 'surveyAnswered', 1);
      if (event.score !== undefined) {
        add(hour, channel, 'scoreSum', event.score);
        add(hour, channel, 'scoreCount', 1);
      }
      break;
    }
    default:
      break;
  }
}
