import type { IncomingMessage } from 'node:http';
import { headerOf, WebhookHttpError } from '@botsession/webhook';

/** The request header a client retries with: https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/ */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's `Idempotency-Key`, used as the delivery id: a request sent again with the
 * same key (a retry after a timeout) counts once. The IETF draft writes it as a structured
 * string (`"8e03978e-…"`); the unquoted form most APIs use (`8e03978e-…`) is accepted too.
 * Absent is undefined; anything but 1 to 255 visible ASCII characters is a 400.
 */
export function idempotencyKeyOf(req: IncomingMessage): string | undefined {
  const raw = headerOf(req.headers, IDEMPOTENCY_KEY_HEADER);
  if (raw === undefined) return undefined;
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!KEY.test(value)) {
    throw new WebhookHttpError(
      400,
      `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters, got ${JSON.stringify(raw.slice(0, 80))}`,
    );
  }
  return value;
}
