import { hmac, safeEqual, WebhookHttpError } from '@botsession/webhook';

/**
 * X's signatures: `sha256=` + base64(HMAC-SHA256(consumer secret, data)), over the raw body
 * of a delivery and over the `crc_token` of a challenge.
 * https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks
 */
export function signatureOf(consumerSecret: string, data: string | Buffer): string {
  return `sha256=${hmac('sha256', consumerSecret, data, 'base64')}`;
}

/**
 * X's tokens are base64-like. Anything else is refused: the CRC answer is an HMAC oracle
 * over the token with the same key as delivery signatures, so answering a token shaped like
 * a JSON body would hand out a valid signature for a forged delivery. No JSON body can be
 * spelled with these characters (it needs `{` or `[`).
 */
const CRC_TOKEN = /^[A-Za-z0-9._~+/=-]{1,512}$/;

/** The body of the challenge-response check answer. */
export function crcResponse(consumerSecret: string, crcToken: string | null): { response_token: string } {
  if (crcToken === null || crcToken === '') {
    throw new WebhookHttpError(400, 'crc_token query parameter is missing (X sends GET ?crc_token=...)');
  }
  if (!CRC_TOKEN.test(crcToken)) {
    throw new WebhookHttpError(400, 'crc_token must be 1 to 512 base64 characters');
  }
  return { response_token: signatureOf(consumerSecret, crcToken) };
}

/** Missing signature → 401, wrong signature → 403; nothing is parsed or tracked before this. */
export function verifyDelivery(consumerSecret: string, rawBody: Buffer, received: string | undefined): void {
  if (received === undefined || received === '') {
    throw new WebhookHttpError(401, 'x-twitter-webhooks-signature header is missing');
  }
  if (!safeEqual(received, signatureOf(consumerSecret, rawBody))) {
    throw new WebhookHttpError(403, 'x-twitter-webhooks-signature does not match the body');
  }
}
