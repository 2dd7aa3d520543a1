import type { SessionStamp, SessionTracker } from '@botsession/core';
import { type MetaEvent, refOf } from './event.js';

/**
 * Counts a reply the bot sent to `event`, under the message id the Send API (Messenger,
 * Instagram) or the Cloud API (WhatsApp) returned for it. It counts in the session of the
 * message it answers (`stamp`), and nowhere if the handler ended that session first (a
 * handoff). Messenger and Instagram later echo the reply with that id as its `mid`: the echo
 * is then recognised and counts nothing, so no echo opens a session after a handoff.
 * Resolves to undefined when the reply was counted nowhere; rejects like `tracker.track`.
 *
 * @example
 * const sent = await sendApi({ recipient: { id: event.userId }, message: { text: 'hi' } });
 * await trackSent(tracker, event, stamp, sent.message_id); // WhatsApp: sent.messages[0].id
 */
export function trackSent(
  tracker: SessionTracker,
  event: MetaEvent,
  stamp: SessionStamp | undefined,
  messageId: string | undefined,
): Promise<SessionStamp | undefined> {
  const deliveryId = typeof messageId === 'string' && messageId !== '' ? messageId : undefined;
  return tracker.track(refOf(event), {
    direction: 'outbound',
    inReplyTo: stamp?.sessionId,
    deliveryId,
  });
}
