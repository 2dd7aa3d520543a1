import { type Exchange, parseJsonBody, WebhookHttpError, type WebhookRequest } from '@botsession/webhook';
import type { WebErrorContext } from './options.js';

// `navigator.sendBeacon(url, string)` can only send text/plain, and the widget uses it for every
// call so a cross-origin embed needs no CORS preflight; fetch sends application/json.
const BODY_TYPES = ['application/json', 'text/plain'];

/**
 * Reads the small JSON object body of an API call (an empty body is `{}`). A body a framework
 * already parsed (`express.json()` before us) is used as it is; bytes kept by
 * `express.text()` / `express.raw()` are read by the HTTP layer like a fresh stream, with
 * the body limit and read timeout.
 */
export async function readJsonObject(exchange: Exchange<WebErrorContext>): Promise<Record<string, unknown>> {
  const parsed = (exchange.req as WebhookRequest).body;
  if (typeof parsed === 'object' && parsed !== null && !Buffer.isBuffer(parsed)) return asObject(parsed);
  const raw = await exchange.readBody(BODY_TYPES, { allowMissingType: true });
  if (raw.toString('utf8').trim() === '') return {};
  return asObject(parseJsonBody(raw));
}

function asObject(value: unknown): Record<string, unknown> {
  // parseJsonBody lets arrays through (some platforms batch in one); an API call is one object.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WebhookHttpError(400, 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
