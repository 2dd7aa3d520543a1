import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookHttpError } from './http-error.js';
import { httpLayer, type NodeHandler } from './http-layer.js';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_READ_TIMEOUT_MS } from './raw-body.js';
import { sendJson } from './respond.js';

type Work = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The older, smaller entry to the HTTP layer, kept for connectors written against it: `work`
 * runs inside `httpLayer`, so a refusal gets its status and nothing escapes as an unhandled
 * rejection; another failure is passed to `onUnexpected`, then to Express's `next` when there
 * is one, else answered with a bare 500 (and logged). New connectors use `httpLayer`, which
 * also applies the body limit, the read timeout and `onError(error, context)`.
 *
 * @example
 * return toNodeHandler(async (req, res) => sendJson(res, 200, parseJsonBody(await readRawBody(req))));
 */
export function toNodeHandler(work: Work, onUnexpected?: (error: unknown) => void): NodeHandler {
  const layer = httpLayer({
    connector: 'botsession',
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    readTimeoutMs: DEFAULT_READ_TIMEOUT_MS,
    onError: undefined,
  });
  return layer.handler(async ({ req, res }) => {
    try {
      await work(req, res);
    } catch (error) {
      if (!(error instanceof WebhookHttpError)) onUnexpected?.(error);
      throw error;
    }
  });
}

/**
 * `toNodeHandler` for a connector with an `onError(error)` option (the older vocabulary): an
 * unexpected failure goes to `onError` when set, else to Express's `next`, else to `log`;
 * whoever does not pass it to `next` answers a bare 500 if nothing was answered yet.
 */
export function toReportingNodeHandler(
  work: Work,
  onError: ((error: unknown) => void) | undefined,
  log: (error: unknown) => void,
): NodeHandler {
  const layer = httpLayer({
    connector: 'botsession',
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    readTimeoutMs: DEFAULT_READ_TIMEOUT_MS,
    onError: onError === undefined ? undefined : (error) => onError(error),
  });
  return layer.handler(async ({ req, res, next }) => {
    try {
      await work(req, res);
    } catch (error) {
      if (error instanceof WebhookHttpError || onError !== undefined || next !== undefined) throw error;
      log(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else if (!res.writableEnded) res.end();
    }
  });
}
