import type { IncomingMessage, ServerResponse } from 'node:http';
import { hmac, queryOf, safeEqual, sendText, WebhookHttpError } from '@botsession/webhook';

/**
 * The GET Meta sends when a webhook URL is saved in the app dashboard:
 * `?hub.mode=subscribe&hub.verify_token=<yours>&hub.challenge=<random>`, answered with the
 * challenge as plain text. https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
export function answerVerification(req: IncomingMessage, res: ServerResponse, verifyToken: string): void {
  const query = queryOf(req);
  const mode = query.get('hub.mode');
  const challenge = query.get('hub.challenge');
  if (mode !== 'subscribe') {
    throw new WebhookHttpError(400, `hub.mode must be subscribe, got ${JSON.stringify(mode)}`);
  }
  if (challenge === null || challenge === '') throw new WebhookHttpError(400, 'hub.challenge is missing');
  if (!safeEqual(query.get('hub.verify_token') ?? undefined, verifyToken)) {
    throw new WebhookHttpError(403, 'hub.verify_token does not match the configured verifyToken');
  }
  sendText(res, 200, challenge);
}

/**
 * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, raw body)>`, computed over
 * the exact bytes (Meta escapes non-ASCII as \uXXXX in the body, so re-serialised JSON would
 * not match). A wrong signature is 403; the caller answers a missing header with 401.
 */
export function checkSignature(raw: Buffer, header: string, appSecret: string): void {
  const expected = `sha256=${hmac('sha256', appSecret, raw, 'hex')}`;
  if (!safeEqual(header.toLowerCase(), expected)) {
    throw new WebhookHttpError(403, 'X-Hub-Signature-256 does not match the body signed with appSecret');
  }
}
