import {
  type ConversationRef,
  type Direction,
  type SessionStamp,
  type SessionTracker,
  StoreUnavailableError,
  type TrackOptions,
  unlessStoreDown,
} from '@botsession/core';

/** Where a connector sends failures it cannot answer through HTTP (its `onError`, or a log). */
export type ReportError = (error: unknown) => void;

/**
 * Runs a tracker call (a function, so a synchronous throw is caught too) so that nothing it
 * does can fail the request: a store outage yields undefined (core's `unlessStoreDown`; the
 * tracker has already emitted `error`), and anything else (a closed tracker, a bad ref) is a
 * bug on our side that goes to `report`, never nowhere, and yields undefined too.
 */
export async function unlessStoreDownOrReport<T>(
  call: () => Promise<T>,
  report: ReportError,
): Promise<T | undefined> {
  try {
    return await unlessStoreDown(call());
  } catch (error) {
    report(error);
    return undefined;
  }
}

/**
 * The stamp of the conversation's active session, counting nothing: an update or event that is
 * no interaction still sees the session it happens in. Undefined when none is active or the
 * store is down (core's `unlessStoreDown`); any other failure rejects.
 */
export async function activeSessionStamp(
  tracker: SessionTracker,
  ref: ConversationRef,
): Promise<SessionStamp | undefined> {
  const session = await unlessStoreDown(tracker.get(ref));
  return session === undefined
    ? undefined
    : { sessionId: session.id, isNew: false, redelivered: false, session };
}

/**
 * Tracks one message (with the platform's `deliveryId`, when it has one); a store outage
 * yields no stamp instead of an error, so the bot still answers (see `unlessStoreDownOrReport`).
 */
export function trackOrUndefined(
  tracker: SessionTracker,
  ref: ConversationRef,
  direction: Direction,
  report: ReportError,
  deliveryId?: string,
): Promise<SessionStamp | undefined> {
  return unlessStoreDownOrReport(
    () => tracker.track(ref, deliveryId === undefined ? { direction } : { direction, deliveryId }),
    report,
  );
}

/**
 * Tracks one bot reply to the session `inReplyTo` (the stamp of the message being answered).
 * Core decides: if that session ended meanwhile (the handler handed off), the reply is not
 * counted, opens nothing, and this yields undefined. Without `inReplyTo` (the inbound message
 * got no stamp: the store was down) it is a plain outbound message. A store outage yields
 * undefined (see `unlessStoreDownOrReport`).
 */
export function trackReplyOrUndefined(
  tracker: SessionTracker,
  ref: ConversationRef,
  inReplyTo: string | undefined,
  report: ReportError,
  deliveryId?: string,
): Promise<SessionStamp | undefined> {
  return unlessStoreDownOrReport(
    () =>
      tracker.track(
        ref,
        deliveryId === undefined
          ? { direction: 'outbound', inReplyTo }
          : { direction: 'outbound', inReplyTo, deliveryId },
      ),
    report,
  );
}

/**
 * The delivery id of the `index`-th reply (from 1) to a request that carried `deliveryId`,
 * so that the replies of a retried request count once too, like the request: the handler
 * runs again on a retry (the first attempt may have failed) and sends its replies again.
 */
export function replyDeliveryId(deliveryId: string | undefined, index: number): string | undefined {
  return deliveryId === undefined ? undefined : `${deliveryId}/reply-${index}`;
}

/**
 * The bot's handler failed: the channel's policy decides whether that ends the session. With
 * the failed delivery's id, a retry that fails again ends nothing more (not the session the
 * first failure's next message may have opened).
 */
export async function endInterrupted(
  tracker: SessionTracker,
  ref: ConversationRef,
  report: ReportError,
  deliveryId?: string,
): Promise<void> {
  await unlessStoreDownOrReport(
    () =>
      deliveryId === undefined
        ? tracker.end(ref, 'interrupted')
        : tracker.end(ref, 'interrupted', { deliveryId }),
    report,
  );
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
