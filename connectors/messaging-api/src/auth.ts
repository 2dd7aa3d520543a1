import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerOf, safeEqual, WebhookHttpError } from '@botsession/webhook';

const BEARER = /^Bearer +(\S+) *$/i;

/** `Authorization: Bearer <key>` against every accepted key; 401 with `WWW-Authenticate: Bearer` otherwise. */
export function authenticate(req: IncomingMessage, res: ServerResponse, apiKeys: readonly string[]): void {
  const key = BEARER.exec(headerOf(req.headers, 'authorization') ?? '')?.[1];
  if (key === undefined) {
    res.setHeader('www-authenticate', 'Bearer realm="botsession"');
    throw new WebhookHttpError(401, 'Authorization: Bearer <API key> header is missing');
  }
  // Every key is compared, so the time taken does not tell which one nearly matched.
  let accepted = false;
  for (const expected of apiKeys) accepted = safeEqual(key, expected) || accepted;
  if (!accepted) {
    res.setHeader('www-authenticate', 'Bearer realm="botsession", error="invalid_token"');
    throw new WebhookHttpError(401, 'the API key is not valid');
  }
}
