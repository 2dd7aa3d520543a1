import type { Session, UntrackedCall } from '@botsession/core';
import { KNOWN_CHANNELS, OTHER_CHANNEL } from './channels.js';
import type { ReportingTracker } from './ledger.js';

/** What this process observes itself (never in the ledger): hook and store trouble, late ends. */
export interface ProcessObserver {
  /** An inactivity end was delivered `seconds` after its `endedAt` (the rule's deadline). */
  lateEnd(seconds: number): void;
  /** The tracker emitted `StoreUnavailableError` on `error` (on Redis: once per outage). */
  storeError(): void;
  /** A message or event the store did not take because it was down: it is not counted. */
  untracked(channel: string, event: UntrackedCall['event']): void;
  /** A `sessionStart` or `sessionEnd` handler threw or rejected (`HookError`). */
  hookError(hook: 'sessionStart' | 'sessionEnd'): void;
}

export interface WatchOptions {
  now: () => number;
  /** How many recent ended session ids are remembered to count a redelivered end once. */
  rememberEnds: number;
  /** How many channels get a label of their own (the rest are `other`). */
  maxChannels: number;
}

/**
 * Subscribes to the tracker's `sessionEnd` and `error` events and feeds `observer`; returns
 * the function that unsubscribes. An end delivered twice (at-least-once across a crash) is
 * observed once: the newest `rememberEnds` session ids are kept, oldest forgotten first.
 */
export function watchTracker(
  tracker: ReportingTracker,
  observer: ProcessObserver,
  options: WatchOptions,
): () => void {
  const seen = new Set<string>(); // insertion-ordered: the first entry is the oldest
  const offEnd = tracker.on('sessionEnd', (session: Session) => {
    if (seen.has(session.id)) return;
    seen.add(session.id);
    if (seen.size > options.rememberEnds) seen.delete(seen.values().next().value!);
    // Lateness is only meaningful where endedAt is a deadline a scheduler had to meet;
    // other ends (closed, handoff, …) are delivered by the call that caused them.
    if (session.endReason !== 'inactivity' || session.endedAt === undefined) return;
    observer.lateEnd(Math.max(0, options.now() - session.endedAt) / 1000);
  });
  const channelOf = processChannelLabels(options.maxChannels);
  const offUntracked = tracker.on('untracked', (call: UntrackedCall) => {
    observer.untracked(channelOf(call.ref.channel), call.event);
  });
  const offError = tracker.on('error', (error: Error) => {
    // By name, not instanceof: a second copy of @botsession/core in node_modules has its own classes.
    if (error?.name === 'StoreUnavailableError') observer.storeError();
    else if (error?.name === 'HookError') {
      const hook = (error as Error & { hook?: unknown }).hook;
      observer.hookError(hook === 'sessionStart' ? 'sessionStart' : 'sessionEnd');
    }
  });
  return () => {
    offEnd();
    offUntracked();
    offError();
  };
}

/**
 * Labels for the channels this process sees in its own events (the ledger's labels come from
 * the store): core's channel ids are always their own label; other channels get one while
 * fewer than `maxChannels` labels are in use, and `other` after that, so a flood of custom
 * channel ids cannot grow the series without bound.
 */
function processChannelLabels(maxChannels: number): (channel: string) => string {
  const labelled = new Set<string>(KNOWN_CHANNELS);
  return (channel) => {
    if (labelled.has(channel)) return channel;
    if (labelled.size >= Math.max(maxChannels, KNOWN_CHANNELS.length)) return OTHER_CHANNEL;
    labelled.add(channel);
    return channel;
  };
}
