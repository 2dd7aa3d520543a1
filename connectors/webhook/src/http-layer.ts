import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookHttpError } from './http-error.js';
import { checkMediaType } from './media-type.js';
import { readRawBody, type WebhookRequest } from './raw-body.js';
import { sendError, sendJson } from './respond.js';

/** Express/Connect's `next`. */
export type NextFunction = (error?: unknown) => void;

/**
 * What every botsession HTTP connector returns: a plain Node handler that also mounts in
 * Express/Connect. The promise always resolves (once the request is handled), never rejects.
 */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => Promise<void>;

/** What `onError` receives beside the error; connectors add their own fields (`event`, `message`). */
export interface HttpErrorContext {
  /** The request being handled when the failure happened. */
  req: IncomingMessage;
  /** The connector's package (`@botsession/web`). */
  connector: string;
}

/** The `onError(error, context)` option every HTTP connector takes. */
export type HttpErrorHandler<C extends HttpErrorContext = HttpErrorContext> = (
  error: unknown,
  context: C,
) => void;

export interface HttpLayerOptions<C extends HttpErrorContext> {
  /** The connector's package name, for logs and `context.connector`. */
  connector: string;
  bodyLimitBytes: number;
  readTimeoutMs: number;
  onError: HttpErrorHandler<C> | undefined;
  /** The one-line body of the 500 answered for an unexpected failure. Default 'internal error'. */
  internalErrorMessage?: string;
}

/** One request being handled: what a connector's work function receives. */
export interface Exchange<C extends HttpErrorContext> {
  req: IncomingMessage;
  res: ServerResponse;
  /** Express/Connect's `next`, when mounted there: for requests the connector does not serve. */
  next: NextFunction | undefined;
  /** Fields added to the `onError` context of a failure thrown from here on (`{ event }`). */
  context: Partial<Omit<C, 'req' | 'connector'>>;
  /**
   * Records a failure the caller does not see in the answer (the bot failed on one event of a
   * batch the platform gets its 200 for). It reaches the error policy once the request is done.
   */
  fail(error: unknown, context?: Partial<Omit<C, 'req' | 'connector'>>): void;
  /** The raw body, with the body limit and read timeout; 415 unless its media type is `accepted`. */
  readBody(accepted?: readonly string[], options?: { allowMissingType?: boolean }): Promise<Buffer>;
}

/**
 * The one HTTP layer of every botsession HTTP connector (web, help, messaging-api, meta,
 * twitter, twilio). Like Hono's `app.fetch` with its `onError`, nothing a request or the
 * user's code does escapes it: a refusal (`WebhookHttpError`) is answered with its status; any
 * other failure goes to `onError(error, context)` when set, else to Express's `next(error)`
 * when mounted there, else to `console.error`, and gets a bare 500 if nothing was answered.
 * An `onError` or a `next` that throws is logged, never rethrown; the handler's promise never
 * rejects. 408 and 413 close the connection (the rest of the body is not read).
 *
 * @example
 * const http = httpLayer({ connector: '@botsession/x', ...checkHttpOptions(options) });
 * return http.handler(async ({ req, res, readBody }) => {
 *   const body = parseJsonBody(await readBody(JSON_MEDIA_TYPES));
 *   sendJson(res, 200, { ok: true });
 * });
 */
export function httpLayer<C extends HttpErrorContext = HttpErrorContext>(options: HttpLayerOptions<C>) {
  const { connector, bodyLimitBytes, readTimeoutMs, onError } = options;
  const internalErrorMessage = options.internalErrorMessage ?? 'internal error';

  const log = (error: unknown) => {
    try {
      console.error(`[${connector}]`, error);
    } catch {
      // A console that throws (closed stdout) must not take the process down either.
    }
  };

  /** Sends failures to onError, else next, else the log; never throws. */
  const dispatch = (
    req: IncomingMessage,
    failures: Array<[unknown, Partial<C> | undefined]>,
    next: NextFunction | undefined,
  ): boolean => {
    if (onError !== undefined) {
      for (const [error, extra] of failures) {
        try {
          onError(error, { ...extra, req, connector } as C);
        } catch (thrown) {
          log(thrown);
        }
      }
      return false;
    }
    if (next !== undefined) {
      const errors = failures.map(([error]) => error);
      try {
        next(errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} failures`));
        return true;
      } catch (thrown) {
        log(thrown);
        return false;
      }
    }
    for (const [error] of failures) log(error);
    return false;
  };

  /** Wraps a connector's work into the Node handler it returns. */
  function handler(work: (exchange: Exchange<C>) => Promise<void>): NodeHandler {
    return async (req, res, next) => {
      const failures: Array<[unknown, Partial<C> | undefined]> = [];
      const exchange: Exchange<C> = {
        req,
        res,
        next,
        context: {},
        fail: (error, extra) => void failures.push([error, { ...exchange.context, ...extra } as Partial<C>]),
        readBody: (accepted, readOptions) => {
          if (accepted !== undefined) checkMediaType(req, accepted, readOptions?.allowMissingType ?? false);
          return readRawBody(req as WebhookRequest, { limitBytes: bodyLimitBytes, timeoutMs: readTimeoutMs });
        },
      };
      let unanswered = false;
      try {
        await work(exchange);
      } catch (error) {
        if (error instanceof WebhookHttpError) {
          refuse(req, res, error);
        } else {
          failures.push([error, { ...exchange.context } as Partial<C>]);
          unanswered = true;
        }
      }
      if (failures.length === 0) return;
      const passedOn = dispatch(req, failures, next);
      if (!unanswered || passedOn) return;
      try {
        if (!res.headersSent) sendJson(res, 500, { error: internalErrorMessage });
        else if (!res.writableEnded) res.end();
      } catch (error) {
        log(error);
      }
    };
  }

  return {
    handler,
    /** Reports a failure outside any request's work (a timer, a hook): onError, else the log. */
    report(error: unknown, context: C): void {
      dispatch(context.req, [[error, context]], undefined);
    },
  };
}

/**
 * Answers a refusal. A 408 or 413 leaves unread bytes on the connection, so it is closed: the
 * rest of the body is drained for a moment (a client still sending may otherwise miss the
 * answer in a TCP reset), then the socket is destroyed.
 */
function refuse(req: IncomingMessage, res: ServerResponse, error: WebhookHttpError): void {
  const abandonsBody = error.status === 408 || error.status === 413;
  try {
    if (abandonsBody && !res.headersSent) res.setHeader('connection', 'close');
    sendError(res, error);
  } catch {
    // The socket is gone: nothing left to answer.
  }
  if (!abandonsBody || req.readableEnded) return;
  req.resume();
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), error.status === 408 ? 1_000 : 5_000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
