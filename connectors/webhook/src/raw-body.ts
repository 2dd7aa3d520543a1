import type { IncomingMessage } from 'node:http';
import { WebhookHttpError } from './http-error.js';

/** The default body limit: platforms' webhook payloads are a few KB; 1 MiB leaves room. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** A request that a framework may already have read (Express `express.raw()`, `verify` hooks, …). */
export type WebhookRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

/**
 * The request's exact bytes, which signatures are computed over. Reads the stream when
 * nothing read it before; otherwise takes `req.rawBody` (the usual `verify` hook of
 * `express.json`) or a Buffer/string `req.body` (`express.raw()` / `express.text()`).
 * A body parsed into an object without its raw bytes cannot be verified: that is a setup
 * error, reported as such instead of re-serialising the object (which changes bytes).
 */
export async function readRawBody(
  req: WebhookRequest,
  limitBytes: number = DEFAULT_BODY_LIMIT_BYTES,
): Promise<Buffer> {
  const preRead = alreadyRead(req);
  if (preRead !== undefined) {
    if (preRead.length > limitBytes) throw tooLarge(limitBytes);
    return preRead;
  }
  if (req.readableEnded) {
    throw new WebhookHttpError(
      400,
      'the request body was consumed by a body parser without keeping its raw bytes (see the README: keep req.rawBody)',
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume(); // drain, so the connection can answer 413 cleanly
    throw tooLarge(limitBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) {
      req.resume();
      throw tooLarge(limitBytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

function alreadyRead(req: WebhookRequest): Buffer | undefined {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (typeof req.rawBody === 'string') return Buffer.from(req.rawBody);
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === 'string') return Buffer.from(req.body);
  if (req.body !== undefined && req.body !== null && req.readableEnded) {
    throw new WebhookHttpError(
      400,
      'the request body was parsed by a framework without keeping its raw bytes, so its signature cannot be checked (see the README: keep req.rawBody)',
    );
  }
  return undefined;
}

function tooLarge(limitBytes: number): WebhookHttpError {
  return new WebhookHttpError(413, `request body is larger than ${limitBytes} bytes`);
}
