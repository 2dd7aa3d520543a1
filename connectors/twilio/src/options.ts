import type { IncomingMessage } from 'node:http';
import { ConfigError } from '@botsession/core';
import { checkBodyLimitBytes, checkOptionalFunction, checkOptionFields } from '@botsession/webhook';
import type { WebhookUrl } from './signature.js';

export interface BotSessionOptions {
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
  /**
   * Plain Node only (where `next` is your handler): called when your handler throws or
   * rejects, after the session ended `interrupted` and Twilio got an empty `<Response/>`.
   * Default: `console.error`, as Express's own final handler does.
   */
  onHandlerError?: (error: unknown, req: IncomingMessage) => void;
}

export interface ResolvedOptions {
  authToken: string;
  url: WebhookUrl | undefined;
  bodyLimitBytes: number;
  onHandlerError: (error: unknown, req: IncomingMessage) => void;
}

const KNOWN = ['authToken', 'url', 'bodyLimitBytes', 'onHandlerError'];

/** Checks the options once, at construction: a webhook that can never verify should not start. */
export function resolveOptions(options: BotSessionOptions): ResolvedOptions {
  checkOptionFields('botSession', options, KNOWN);
  const { authToken, url, onHandlerError } = options;
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
  const bodyLimitBytes = checkBodyLimitBytes(options.bodyLimitBytes);
  checkOptionalFunction('onHandlerError', onHandlerError);
  return {
    authToken,
    url,
    bodyLimitBytes,
    onHandlerError: onHandlerError ?? ((error) => console.error(error)),
  };
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
