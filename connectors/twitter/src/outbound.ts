import type { SessionStamp, SessionTracker } from '@botsession/core';
import { refOf, type TwitterDirectMessage } from './map.js';

/**
 * Counts a DM the bot sent in answer to `message`, under the `dm_event_id` X's send endpoint
 * (`POST /2/dm_conversations/with/:participant_id/messages`) returned. It counts in the session
 * of the message it answers, and nowhere if the handler ended that session first (a handoff).
 * X then delivers the account's own DM to the webhook with that id: the echo is recognised and
 * counts nothing, so it never opens a session after a handoff. Rejects like `tracker.track`.
 *
 * @example
 * const { data } = await sendDm(message.userId, 'hi'); // { dm_conversation_id, dm_event_id }
 * await trackSent(tracker, message, stamp, data.dm_event_id);
 */
export function trackSent(
  tracker: SessionTracker,
  message: Pick<TwitterDirectMessage, 'forUserId' | 'userId'>,
  stamp: SessionStamp | undefined,
  dmEventId: string | undefined,
): Promise<SessionStamp | undefined> {
  const deliveryId = typeof dmEventId === 'string' && dmEventId !== '' ? dmEventId : undefined;
  return tracker.track(refOf(message), { direction: 'outbound', inReplyTo: stamp?.sessionId, deliveryId });
}
