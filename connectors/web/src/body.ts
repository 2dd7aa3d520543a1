import type { IncomingMessage } from 'node:http';

/** A request the API refuses, with the status and a message that names the problem. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a small JSON object body. `text/plain` is accepted as well as `application/json`:
 * `navigator.sendBeacon(url, string)` can only send text/plain, and the widget uses it for every
 * call so a cross-origin embed needs no CORS preflight. A body a framework already parsed
 * (`express.json()` / `express.text()` before us) is used as it is.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const parsed = (req as { body?: unknown }).body;
  if (typeof parsed === 'object' && parsed !== null && !Buffer.isBuffer(parsed)) return asObject(parsed);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== '' && type !== 'application/json' && type !== 'text/plain') {
    throw new HttpError(415, `content-type must be application/json or text/plain, got ${type}`);
  }
  const text = typeof parsed === 'string' ? parsed : await readText(req, maxBytes);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
  return asObject(value);
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes)
    throw new HttpError(413, `body must be at most ${maxBytes} bytes, got ${declared}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `body must be at most ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
