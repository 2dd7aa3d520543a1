/**
 * The webhook body's outer shape, checked before any event is acted on, so a malformed body is
 * a 400 that names the field instead of a crash halfway through a batch. Inner fields an event
 * type does not need stay unchecked: LINE adds event types and fields over time.
 * https://developers.line.biz/en/reference/messaging-api/#request-body
 */

import { WebhookHttpError } from '@botsession/webhook';
import type { webhook } from '@line/bot-sdk';

/** Core accepts delivery ids up to this length; LINE's are 26-character ULIDs. */
const MAX_EVENT_ID_LENGTH = 512;

export function eventsOf(body: unknown): webhook.Event[] {
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) {
    throw new WebhookHttpError(400, `events must be an array of webhook events, got ${describe(events)}`);
  }
  events.forEach((event: unknown, index) => {
    const field = `events[${index}]`;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new WebhookHttpError(400, `${field} must be an object, got ${describe(event)}`);
    }
    const { type, webhookEventId } = event as Record<string, unknown>;
    if (typeof type !== 'string' || type === '') {
      throw new WebhookHttpError(400, `${field}.type must be a non-empty string, got ${describe(type)}`);
    }
    if (
      webhookEventId !== undefined &&
      (typeof webhookEventId !== 'string' ||
        webhookEventId === '' ||
        webhookEventId.length > MAX_EVENT_ID_LENGTH)
    ) {
      throw new WebhookHttpError(
        400,
        `${field}.webhookEventId must be a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters, got ${describe(webhookEventId)}`,
      );
    }
  });
  return events as webhook.Event[];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object')
    return JSON.stringify(value)?.slice(0, 40) ?? String(value);
  return 'an object';
}
