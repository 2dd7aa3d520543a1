import type { ConversationRef } from '@botsession/core';
import { usageError } from './errors.js';

/**
 * `CHANNEL:CONVERSATION` → a ref. The channel ends at the first colon; the conversation id
 * keeps any later ones (`sms:+15550002222:+15550009999`).
 */
export function parseRef(what: string, text: string): ConversationRef {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw usageError(`${what} must be CHANNEL:CONVERSATION (web:visitor-42), got ${JSON.stringify(text)}`);
  }
  return { channel: text.slice(0, colon), conversationId: text.slice(colon + 1) };
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The time a UUIDv7 was made (its first 48 bits), or undefined for any other id. */
export function uuidV7Time(id: string): number | undefined {
  return UUID_V7.test(id) ? Number.parseInt(id.replace('-', '').slice(0, 12), 16) : undefined;
}
