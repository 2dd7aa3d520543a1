import type { ConversationRef, SessionStamp, SessionTracker } from '@botsession/core';
import { type ReportError, unlessStoreDownOrReport } from '@botsession/webhook';
import type { TwilioMessage } from './map.js';

/**
 * Counts the user's message under its `MessageSid`. Twilio retries a webhook it got no answer
 * for with the same `MessageSid` (and `I-Twilio-Idempotency-Token`), possibly to another
 * process: a repeat counts nothing and gets the first delivery's stamp, `redelivered: true`.
 */
export function trackMessage(
  tracker: SessionTracker,
  ref: ConversationRef,
  message: TwilioMessage,
  report: ReportError,
): Promise<SessionStamp | undefined> {
  const deliveryId = message.MessageSid || undefined;
  return unlessStoreDownOrReport(() => tracker.track(ref, { direction: 'inbound', deliveryId }), report);
}

/**
 * The route failed: the session ends `interrupted` (the policy decides). Keyed by the
 * `MessageSid`, so a retry of the message whose route fails again does not end a session the
 * user opened since.
 */
export async function endInterrupted(
  tracker: SessionTracker,
  ref: ConversationRef,
  message: TwilioMessage,
  report: ReportError,
): Promise<void> {
  const options = message.MessageSid ? { deliveryId: message.MessageSid } : undefined;
  await unlessStoreDownOrReport(() => tracker.end(ref, 'interrupted', options), report);
}
