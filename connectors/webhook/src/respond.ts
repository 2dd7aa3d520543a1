import type { ServerResponse } from 'node:http';
import { WebhookHttpError } from './http-error.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers a refused request with its status, its headers and a one-line reason. Anything that
 * is not a WebhookHttpError is a bug or an outage on our side, and is rethrown for the caller.
 */
export function sendError(res: ServerResponse, error: unknown): void {
  if (!(error instanceof WebhookHttpError)) throw error;
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.status, { error: error.message });
}
