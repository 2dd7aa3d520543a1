import type { SessionStamp, SessionTracker } from '@botsession/core';
import { type ReportError, unlessStoreDownOrReport } from '@botsession/webhook';
import type { MetaAction } from './map.js';

type MessageAction = Extract<MetaAction, { type: 'message' }>;
type EchoAction = Extract<MetaAction, { type: 'echo' }>;

/**
 * Counts a user's message under its Meta message id (`mid`, `wamid`): a batch Meta resends
 * counts nothing again and gets the first delivery's stamp, `redelivered: true`.
 */
export function trackMessage(
  tracker: SessionTracker,
  action: MessageAction,
  report: ReportError,
): Promise<SessionStamp | undefined> {
  const { ref, deliveryId } = action;
  return unlessStoreDownOrReport(() => tracker.track(ref, { direction: 'inbound', deliveryId }), report);
}

/**
 * Counts the business's own message from its echo, under the echo's message id. A reply the
 * bot already counted with `trackSent` carries the same id (the Send API's `message_id` is the
 * echo's `mid`), so its echo is a repeat: nothing counted, nothing opened, even after the
 * session ended (a goodbye before a handoff). An echo of a message nobody counted (the bot did
 * not call `trackSent`, a person typed in the Page inbox) is a bot message as core defines it.
 */
export function trackEcho(
  tracker: SessionTracker,
  action: EchoAction,
  report: ReportError,
): Promise<SessionStamp | undefined> {
  const { ref, deliveryId } = action;
  return unlessStoreDownOrReport(() => tracker.track(ref, { direction: 'outbound', deliveryId }), report);
}

/**
 * `onMessage` threw: the session ends `interrupted` (the policy decides). Keyed by the message
 * id, so when Meta redelivers the message and the handler fails again, the session the user
 * may have started since is not ended a second time.
 */
export async function endInterrupted(
  tracker: SessionTracker,
  action: MessageAction,
  report: ReportError,
): Promise<void> {
  const { ref, deliveryId } = action;
  const options = deliveryId === undefined ? undefined : { deliveryId };
  await unlessStoreDownOrReport(() => tracker.end(ref, 'interrupted', options), report);
}
