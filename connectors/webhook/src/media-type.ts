import type { IncomingMessage } from 'node:http';
import { WebhookHttpError } from './http-error.js';

/** The request's media type, lower case, without parameters (`application/json`); '' when none. */
export function mediaTypeOf(req: Pick<IncomingMessage, 'headers'>): string {
  const header = req.headers['content-type'];
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The JSON media types: `application/json` and any `application/<something>+json`. */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json', 'application/*+json'];

/**
 * Refuses (415) a request whose media type is not one of `accepted`. An entry
 * `application/*+json` matches every structured-syntax JSON type. `allowMissing` lets a
 * request without a content-type through (a bodiless POST from curl or a beacon).
 */
export function checkMediaType(
  req: Pick<IncomingMessage, 'headers'>,
  accepted: readonly string[],
  allowMissing = false,
): void {
  const type = mediaTypeOf(req);
  if (type === '' && allowMissing) return;
  const ok = accepted.some((entry) =>
    entry === 'application/*+json' ? /^application\/[^/]+\+json$/.test(type) : entry === type,
  );
  if (!ok) {
    throw new WebhookHttpError(
      415,
      `content-type must be ${accepted.join(' or ')}, got ${type === '' ? 'none' : JSON.stringify(type)}`,
    );
  }
}
