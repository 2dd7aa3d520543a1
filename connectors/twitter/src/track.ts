import type { SessionStamp, SessionTracker } from '@botsession/core';
import { type ReportError, unlessStoreDownOrReport } from '@botsession/webhook';
import { type DeliveredMessage, refOf } from './map.js';

/**
 * Counts one DM of a delivery under X's id for it. X asks consumers to deduplicate by event id
 * (it may deliver an event twice, and an app subscribed through both the Account Activity API
 * and the X Activity API gets each DM from both): a repeat counts nothing and resolves to the
 * first delivery's stamp, `redelivered: true`. The account's own DMs carry the `dm_event_id`
 * the send endpoint returned, so a reply the bot counted with `trackSent` counts nothing again.
 */
export function trackDelivered(
  tracker: SessionTracker,
  { direction, message, deliveryId }: DeliveredMessage,
  report: ReportError,
): Promise<SessionStamp | undefined> {
  return unlessStoreDownOrReport(() => tracker.track(refOf(message), { direction, deliveryId }), report);
}

/**
 * `onMessage` threw: the session ends `interrupted` (the policy decides). Keyed by the DM's id,
 * so a redelivery whose handler fails again does not end a session the user opened since.
 */
export async function endInterrupted(
  tracker: SessionTracker,
  { message, deliveryId }: DeliveredMessage,
  report: ReportError,
): Promise<void> {
  const options = deliveryId === undefined ? undefined : { deliveryId };
  await unlessStoreDownOrReport(() => tracker.end(refOf(message), 'interrupted', options), report);
}
