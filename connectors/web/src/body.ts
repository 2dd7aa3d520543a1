import { parseJsonBody, readRawBody, WebhookHttpError, type WebhookRequest } from '@botsession/webhook';

// `navigator.sendBeacon(url, string)` can only send text/plain, and the widget uses it for every
// call so a cross-origin embed needs no CORS preflight; fetch sends application/json.
const BODY_TYPES = new Set(['', 'application/json', 'text/plain']);

/**
 * Reads the small JSON object body of an API call (an empty body is `{}`). A body a framework
 * already parsed (`express.json()` before us) is used as it is; bytes kept by
 * `express.text()` / `express.raw()` are read by the webhook helper like a fresh stream.
 */
export async function readJsonObject(
  req: WebhookRequest,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const parsed = req.body;
  if (typeof parsed === 'object' && parsed !== null && !Buffer.isBuffer(parsed)) return asObject(parsed);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!BODY_TYPES.has(type)) {
    throw new WebhookHttpError(415, `content-type must be application/json or text/plain, got ${type}`);
  }
  const raw = await readRawBody(req, maxBytes);
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
