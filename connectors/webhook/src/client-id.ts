import { WebhookHttpError } from './http-error.js';

// The browser scripts send 128 random bits in base64url (22 characters); the range leaves
// room for other clients' id schemes without letting a client flood the store with long ids.
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * A client's own id for one message (the web widget's, the help tracker's), used as the
 * delivery id so that a retried request counts once: absent is undefined, anything but
 * 8 to 64 characters of A-Z a-z 0-9 _ - is a 400 naming the field.
 *
 * @example
 * const deliveryId = clientMessageIdOf(body.messageId, 'messageId');
 */
export function clientMessageIdOf(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !CLIENT_ID.test(value)) {
    const shown = JSON.stringify(value) ?? String(value);
    throw new WebhookHttpError(
      400,
      `${field} must be 8 to 64 characters of A-Z a-z 0-9 _ -, got ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}`,
    );
  }
  return value;
}
