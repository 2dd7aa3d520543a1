import type { IncomingMessage } from 'node:http';
import { WebhookHttpError } from './http-error.js';

/** The default body limit: platforms' webhook payloads are a few KB; 1 MiB leaves room. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The default time a body may take to arrive once the headers are in. Platforms send a few KB
 * at once; a client that trickles a body byte by byte (slowloris) holds a socket and memory.
 */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;

/** A request that a framework may already have read (Express `express.raw()`, `verify` hooks, …). */
export type WebhookRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

export interface ReadBodyOptions {
  /** Larger bodies are refused with 413. Default 1 MiB. */
  limitBytes?: number;
  /** A body not fully received this long after reading started is refused with 408. Default 10 s; 0: none. */
  timeoutMs?: number;
}

/**
 * The request's exact bytes, which signatures are computed over. Reads the stream when
 * nothing read it before; otherwise takes `req.rawBody` (the usual `verify` hook of
 * `express.json`) or a Buffer/string `req.body` (`express.raw()` / `express.text()`).
 * A body parsed into an object without its raw bytes cannot be verified: that is a setup
 * error, reported as such instead of re-serialising the object (which changes bytes).
 * Refusals: 413 over the limit, 408 past the read timeout, 400 when the client aborts.
 */
export async function readRawBody(
  req: WebhookRequest,
  limit: number | ReadBodyOptions = DEFAULT_BODY_LIMIT_BYTES,
): Promise<Buffer> {
  const { limitBytes = DEFAULT_BODY_LIMIT_BYTES, timeoutMs = DEFAULT_READ_TIMEOUT_MS } =
    typeof limit === 'number' ? { limitBytes: limit } : limit;
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
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  return readStream(req, limitBytes, timeoutMs);
}

/**
 * Reads with listeners rather than `for await`: leaving an async iterator destroys the
 * request, and with it the socket the refusal must be written to.
 */
function readStream(req: IncomingMessage, limitBytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () => finish(new WebhookHttpError(408, `the request body did not arrive within ${timeoutMs} ms`)),
            timeoutMs,
          )
        : undefined;
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limitBytes) finish(tooLarge(limitBytes));
      else chunks.push(buffer);
    };
    const onEnd = () => finish(undefined);
    const onAbort = () =>
      finish(new WebhookHttpError(400, 'the client closed the request before its body ended'));
    function finish(error: WebhookHttpError | undefined): void {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (error === undefined) {
        resolve(Buffer.concat(chunks, size));
        return;
      }
      req.pause();
      reject(error);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
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
