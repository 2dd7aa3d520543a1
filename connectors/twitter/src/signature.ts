import { headerOf, hmac, safeEqual, WebhookHttpError } from '@botsession/webhook';
import type { SigningSecrets } from './options.js';

/**
 * X's signatures: `sha256=` + base64(HMAC-SHA256(secret, data)), over the raw body of a
 * delivery and over the `crc_token` of a challenge. X documents two headers, one per secret:
 * `X-Twitter-Webhooks-Signature-OAuth2` (the app's OAuth 2.0 client secret, recommended) and
 * `X-Twitter-Webhooks-Signature` (the OAuth 1.0a consumer secret, legacy). An app with only a
 * client secret receives only the first; an app with both may receive both while it migrates.
 * https://docs.x.com/x-api/webhooks/introduction#signature-headers
 */
export function signatureOf(secret: string, data: string | Buffer): string {
  return `sha256=${hmac('sha256', secret, data, 'base64')}`;
}

export const OAUTH2_SIGNATURE_HEADER = 'x-twitter-webhooks-signature-oauth2';
export const LEGACY_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

/**
 * X's tokens are base64-like. Anything else is refused: the CRC answer is an HMAC oracle
 * over the token with the same key as delivery signatures, so answering a token shaped like
 * a JSON body would hand out a valid signature for a forged delivery. No JSON body can be
 * spelled with these characters (it needs `{` or `[`).
 */
const CRC_TOKEN = /^[A-Za-z0-9._~+/=-]{1,512}$/;

/**
 * The body of the challenge-response check answer, signed with the client secret when the app
 * has one and with the consumer secret otherwise, as X's docs say.
 */
export function crcResponse(secrets: SigningSecrets, crcToken: string | null): { response_token: string } {
  if (crcToken === null || crcToken === '') {
    throw new WebhookHttpError(400, 'crc_token query parameter is missing (X sends GET ?crc_token=...)');
  }
  if (!CRC_TOKEN.test(crcToken)) {
    throw new WebhookHttpError(400, 'crc_token must be 1 to 512 base64 characters');
  }
  const secret = (secrets.clientSecret ?? secrets.consumerSecret) as string;
  return { response_token: signatureOf(secret, crcToken) };
}

/**
 * Checks a delivery before anything is parsed or tracked. With a client secret, the OAuth 2.0
 * header is checked when present, and a wrong one is refused even if a legacy signature is
 * also sent (no downgrade to the weaker path). Otherwise the legacy header is checked with the
 * consumer secret. No signature this app can check → 401; a signature that does not match → 403.
 */
export function verifyDelivery(
  secrets: SigningSecrets,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
): void {
  const oauth2 = nonEmpty(headerOf(headers, OAUTH2_SIGNATURE_HEADER));
  const legacy = nonEmpty(headerOf(headers, LEGACY_SIGNATURE_HEADER));
  if (secrets.clientSecret !== undefined && oauth2 !== undefined) {
    check(oauth2, secrets.clientSecret, rawBody, 'x-twitter-webhooks-signature-oauth2', 'clientSecret');
    return;
  }
  if (secrets.consumerSecret !== undefined && legacy !== undefined) {
    check(legacy, secrets.consumerSecret, rawBody, 'x-twitter-webhooks-signature', 'consumerSecret');
    return;
  }
  throw new WebhookHttpError(401, missing(secrets, oauth2 !== undefined, legacy !== undefined));
}

function check(received: string, secret: string, rawBody: Buffer, header: string, field: string): void {
  if (!safeEqual(received, signatureOf(secret, rawBody))) {
    throw new WebhookHttpError(403, `${header} does not match the body signed with ${field}`);
  }
}

function missing(secrets: SigningSecrets, hasOAuth2: boolean, hasLegacy: boolean): string {
  if (hasOAuth2) {
    return 'the delivery is signed in x-twitter-webhooks-signature-oauth2 (OAuth 2.0 client secret), but no clientSecret is set';
  }
  if (hasLegacy) {
    return 'the delivery is signed in x-twitter-webhooks-signature (OAuth 1.0a consumer secret), but no consumerSecret is set';
  }
  return secrets.clientSecret !== undefined
    ? 'x-twitter-webhooks-signature-oauth2 header is missing'
    : 'x-twitter-webhooks-signature header is missing';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
