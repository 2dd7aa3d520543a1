import type { LedgerCell } from './report.js';
import type { SessionEvent } from './rules.js';
import type { ChannelPolicy, ConversationRef, Session } from './types.js';

/** One event for a backend to apply atomically to one conversation. */
export interface ApplyInput {
  ref: ConversationRef;
  /** Never `expire`: deadlines are the backend's own business. */
  event: Exclude<SessionEvent, { type: 'expire' }>;
  policy: ChannelPolicy;
  /** The tracker's clock: backends never read their own. */
  now: number;
  /** A fresh session id; call it only when the event opens a session (ids cost time to make). */
  newId: () => string;
  /**
   * The platform's id for this delivery. Seen before within the policy's redeliveryWindowMs:
   * apply nothing and answer with the original delivery's session, `redelivered: true`.
   */
  deliveryId?: string;
}

export interface ApplyOutput {
  /** The session the event acted on (for an end: the ended session), or undefined. */
  session: Session | undefined;
  /** True when this event opened `session`. */
  isNew: boolean;
  /** True when `deliveryId` was seen before: nothing was applied. */
  redelivered?: boolean;
  /** A session this event started, for the tracker to announce in this process. */
  started?: Session;
  /**
   * A session this event ended, for the tracker to announce in this process. A backend that
   * delivers ends itself (through `BackendHost.deliverEnd`, e.g. from a queue) leaves it unset.
   */
  ended?: Session;
}

/** What a tracker gives its backend once, so that the backend can act off the hot path. */
export interface BackendHost {
  now(): number;
  /** False when the user gave `generateId`: then ask `newId` for ids, else a backend may make UUIDv7s itself. */
  usesDefaultIds: boolean;
  policyOf(channel: string): ChannelPolicy;
  /** True when some handler listens to `hook`: a backend may leave an end to a process that has one. */
  listens(hook: 'sessionStart' | 'sessionEnd'): boolean;
  /** Announces a started session; resolves once every `sessionStart` handler has settled (or timed out). */
  deliverStart(session: Session): Promise<void>;
  /** Announces an ended session; resolves once every `sessionEnd` handler has settled (or timed out). */
  deliverEnd(session: Session): Promise<void>;
  /** Reports a failure that has no caller to reject (a timer, a worker). */
  reportError(error: Error): void;
}

/**
 * Where sessions live and how their deadlines fire. Small on purpose: one atomic apply
 * step, a read, a scheduler started by `attach`, and `close`.
 */
export interface Backend {
  /** Called once by the tracker before any other call; starts the deadline scheduler. */
  attach(host: BackendHost): void;
  /** Applies one event atomically and returns what changed. */
  apply(input: ApplyInput): Promise<ApplyOutput> | ApplyOutput;
  /** The conversation's active session at `now`, or undefined. */
  get(ref: ConversationRef, now: number): Promise<Session | undefined> | Session | undefined;
  /** The ledger's counters of the UTC hours from `firstHour` to `lastHour` (hour starts, inclusive). */
  ledger(firstHour: number, lastHour: number): Promise<LedgerCell[]> | LedgerCell[];
  /** All-time counters (hour 0), kept apart from the hourly ones so that they never expire; optional. */
  ledgerTotals?(): Promise<LedgerCell[]> | LedgerCell[];
  /** Live sessions per channel, now. */
  activeCounts(): Promise<Map<string, number>> | Map<string, number>;
  /** Every live session (of one channel, if given), in no particular order. */
  liveSessions(options: { channel?: string }): AsyncIterable<Session>;
  /** The session log: sessions that ended in [since, until), oldest first, as long as they are kept. */
  endedSessions(options: { since: number; until: number; channel?: string }): AsyncIterable<Session>;
  /** Stops the scheduler and releases every timer and connection. */
  close(): Promise<void>;
}
