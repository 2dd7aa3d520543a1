import {
  type ConversationRef,
  type Direction,
  type SessionStamp,
  type SessionTracker,
  StoreUnavailableError,
  type TrackOptions,
} from '@botsession/core';

/** Where a connector sends failures it cannot answer through HTTP (its `onError`, or a log). */
export type ReportError = (error: unknown) => void;

/**
 * Runs a tracker call (a function, so a synchronous throw is caught too) so that a store outage never stops the bot: it yields undefined. The
 * tracker has already emitted `error` for an outage; anything else (a closed tracker, a bad
 * ref) is a bug on our side and goes to `report`, never nowhere.
 */
export async function unlessStoreDown<T>(
  call: () => Promise<T>,
  report: ReportError,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) report(error);
    return undefined;
  }
}

/**
 * Tracks one message; a store outage yields no stamp instead of an error, so the bot still
 * answers (see `unlessStoreDown`).
 */
export function trackOrUndefined(
  tracker: SessionTracker,
  ref: ConversationRef,
  direction: Direction,
  report: ReportError,
): Promise<SessionStamp | undefined> {
  return unlessStoreDown(() => tracker.track(ref, { direction }), report);
}

/**
 * Tracks one bot reply to the session `inReplyTo` (the stamp of the message being answered).
 * Core decides: if that session ended meanwhile (the handler handed off), the reply is not
 * counted, opens nothing, and this yields undefined. Without `inReplyTo` (the inbound message
 * got no stamp: the store was down) it is a plain outbound message. A store outage yields
 * undefined (see `unlessStoreDown`).
 */
export function trackReplyOrUndefined(
  tracker: SessionTracker,
  ref: ConversationRef,
  inReplyTo: string | undefined,
  report: ReportError,
): Promise<SessionStamp | undefined> {
  return unlessStoreDown(() => tracker.track(ref, { direction: 'outbound', inReplyTo }), report);
}

/** The bot's handler failed: the channel's policy decides whether that ends the session. */
export async function endInterrupted(
  tracker: SessionTracker,
  ref: ConversationRef,
  report: ReportError,
): Promise<void> {
  await unlessStoreDown(() => tracker.end(ref, 'interrupted'), report);
}

/**
 * `track()` with any options, telling a store outage apart from "no session" (a
 * `startsSession: false` message outside a session also yields no stamp): a connector that
 * refuses a request for the latter must not refuse it for the former. Other failures go to
 * `report`.
 */
export async function trackTelling(
  tracker: SessionTracker,
  ref: ConversationRef,
  options: TrackOptions,
  report: ReportError,
): Promise<{ stamp: SessionStamp | undefined; storeDown: boolean }> {
  try {
    return { stamp: await tracker.track(ref, options), storeDown: false };
  } catch (error) {
    if (error instanceof StoreUnavailableError) return { stamp: undefined, storeDown: true };
    report(error);
    return { stamp: undefined, storeDown: false };
  }
}
