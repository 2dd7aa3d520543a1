import type { Session } from '@botsession/core';
import type { ReportingTracker } from './ledger.js';

/** What this process observes itself (never in the ledger): hook and store trouble, late ends. */
export interface ProcessObserver {
  /** An inactivity end was delivered `seconds` after its `endedAt` (the rule's deadline). */
  lateEnd(seconds: number): void;
  /** The store did not answer a tracker call (`StoreUnavailableError`). */
  storeError(): void;
  /** A `sessionStart` or `sessionEnd` handler threw or rejected (`HookError`). */
  hookError(hook: 'sessionStart' | 'sessionEnd'): void;
}

export interface WatchOptions {
  now: () => number;
  /** How many recent ended session ids are remembered to count a redelivered end once. */
  rememberEnds: number;
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
    offError();
  };
}
