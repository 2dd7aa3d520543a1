import { WebhookHttpError } from './http-error.js';

/** Parses a JSON body; anything but a JSON object or array is a 400 with the parser's reason. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw new WebhookHttpError(400, 'request body is empty, expected JSON');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new WebhookHttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null) {
    throw new WebhookHttpError(400, 'request body must be a JSON object');
  }
  return value;
}

/** Parses an `application/x-www-form-urlencoded` body into a flat record (last value wins). */
export function parseFormBody(raw: Buffer): Record<string, string> {
  const params = new URLSearchParams(raw.toString('utf8'));
  const out: Record<string, string> = {};
  for (const [key, value] of params) out[key] = value;
  return out;
}
