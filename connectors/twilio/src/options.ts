import type { IncomingMessage } from 'node:http';
import { ConfigError, type SessionTracker } from '@botsession/core';
import {
  checkHttpOptions,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
  HTTP_OPTION_FIELDS,
  type HttpErrorContext,
  type HttpOptions,
} from '@botsession/webhook';
import type { TwilioMessage } from './map.js';
import type { WebhookUrl } from './signature.js';

/** What `onError` receives beside the error: the request and, once verified, Twilio's message. */
export interface TwilioErrorContext extends HttpErrorContext {
  message?: TwilioMessage;
}

export interface BotSessionOptions {
  /**
   * The session tracker, when the options are the only argument: `botSession({ tracker,
   * authToken })`, the shape of every other botsession HTTP connector. `botSession(tracker,
   * { authToken })` works as well.
   */
  tracker?: SessionTracker;
  /** Your account's Auth Token: Twilio signs every webhook with it. Required. */
  authToken: string;
  /**
   * The public URL Twilio calls, exactly as configured on the number (with its query), or a
   * function of the request. Default: rebuilt from the protocol, Host and original URL, which
   * breaks behind a proxy that rewrites Host or terminates TLS.
   */
  url?: WebhookUrl;
  /** Larger bodies get 413. Default 1 MiB (Twilio's are a few KB). */
  bodyLimitBytes?: number;
  /** A body not received within this many milliseconds gets 408. Default 10 s. */
  readTimeoutMs?: number;
  /**
   * Told of failures: in plain Node (where `next` is your handler) your handler's throw or
   * rejection, after the session ended `interrupted` and Twilio got an empty `<Response/>`;
   * and any unexpected failure of the middleware (answered 500). Default: `console.error`.
   * Under Express, your route's errors go to Express's error handlers as usual.
   */
  onError?: (error: unknown, context: TwilioErrorContext) => void;
  /** The older name of `onError`, with the request as second argument. Kept working. */
  onHandlerError?: (error: unknown, req: IncomingMessage) => void;
}

export interface ResolvedOptions extends HttpOptions<TwilioErrorContext> {
  authToken: string;
  url: WebhookUrl | undefined;
}

const KNOWN = ['tracker', 'authToken', 'url', 'onHandlerError', ...HTTP_OPTION_FIELDS];

/** Checks the options once, at construction: a webhook that can never verify should not start. */
export function resolveOptions(options: BotSessionOptions): ResolvedOptions {
  checkOptionFields('botSession', options, KNOWN);
  const { authToken, url, onHandlerError } = options;
  if (options.tracker !== undefined) checkTracker(options.tracker);
  if (typeof authToken !== 'string' || authToken === '') {
    throw new ConfigError(
      'authToken',
      `authToken must be your Twilio Auth Token, got ${JSON.stringify(authToken)}`,
    );
  }
  if (url !== undefined && typeof url !== 'function' && !isAbsoluteUrl(url)) {
    throw new ConfigError(
      'url',
      `url must be the absolute URL Twilio calls or a function, got ${JSON.stringify(url)}`,
    );
  }
  checkOptionalFunction('onHandlerError', onHandlerError);
  const http = checkHttpOptions<TwilioErrorContext>(options);
  if (http.onError !== undefined && onHandlerError !== undefined) {
    throw new ConfigError('onHandlerError', 'onHandlerError is the older name of onError: set one of them');
  }
  const onError =
    http.onError ??
    (onHandlerError === undefined
      ? undefined
      : (error: unknown, context: TwilioErrorContext) => onHandlerError(error, context.req));
  return { authToken, url, ...http, onError };
}

function isAbsoluteUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}
