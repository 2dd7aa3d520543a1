import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookHttpError } from './http-error.js';
import { sendError, sendJson } from './respond.js';

/** A plain Node handler that also mounts in Express/Connect (which pass `next`). */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Wraps a webhook's async work into a plain Node handler. Refusals (WebhookHttpError) get
 * their status; anything else is an unexpected failure: it goes to Express's `next` when
 * there is one, otherwise a bare 500, and never an unhandled rejection that kills the bot.
 */
export function toNodeHandler(
  work: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onUnexpected?: (error: unknown) => void,
): NodeHandler {
  return (req, res, next) => {
    work(req, res).catch((error: unknown) => {
      if (error instanceof WebhookHttpError) {
        sendError(res, error);
        return;
      }
      onUnexpected?.(error);
      if (next !== undefined) {
        next(error);
        return;
      }
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  };
}

/**
 * `toNodeHandler` for a connector with an `onError` option. An unexpected failure (often the
 * bot's own, after the platform got its answer) goes to `onError` when the user set one, else
 * to Express's `next`, else to `log`; whoever does not pass it to `next` answers a bare 500 if
 * nothing was answered yet.
 *
 * @example
 * return toReportingNodeHandler(work, options.onError, (error) => console.error('[@botsession/x]', error));
 */
export function toReportingNodeHandler(
  work: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: ((error: unknown) => void) | undefined,
  log: (error: unknown) => void,
): NodeHandler {
  const handle = toNodeHandler(work);
  return (req, res, next) =>
    handle(req, res, (error) => {
      if (onError === undefined && next !== undefined) {
        next(error);
        return;
      }
      (onError ?? log)(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else if (!res.writableEnded) res.end();
    });
}
