import {
  type ConversationRef,
  type Direction,
  type SessionStamp,
  type SessionTracker,
  StoreUnavailableError,
} from '@botsession/core';

/**
 * Tracks one message; a store outage yields no stamp instead of an error, so the bot still
 * answers. The tracker has already emitted `error` for it; anything else (a closed tracker)
 * goes to `report`, never nowhere.
 */
export async function trackOrUndefined(
  tracker: SessionTracker,
  ref: ConversationRef,
  direction: Direction,
  report: (error: unknown) => void,
): Promise<SessionStamp | undefined> {
  try {
    return await tracker.track(ref, { direction });
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) report(error);
    return undefined;
  }
}

/** The bot's handler failed: the channel's policy decides whether that ends the session. */
export async function endInterrupted(
  tracker: SessionTracker,
  ref: ConversationRef,
  report: (error: unknown) => void,
): Promise<void> {
  try {
    await tracker.end(ref, 'interrupted');
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) report(error);
  }
}
