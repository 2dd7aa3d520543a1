import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  checkFunction,
  checkHttpOptions,
  checkOptionFields,
  checkTracker,
  HTTP_OPTION_FIELDS,
  type HttpErrorContext,
  type HttpOptions,
} from '@botsession/webhook';
import type { TwitterDirectMessage } from './map.js';

/** What `onError` receives beside the error: the request, and the message when `onMessage` failed on one. */
export interface TwitterErrorContext extends HttpErrorContext {
  message?: TwitterDirectMessage;
}

export interface TwitterWebhookOptions {
  /** The session tracker (`createSessionTracker()` from `@botsession/core`). */
  tracker: SessionTracker;
  /** The app's consumer secret (API secret key): signs the CRC answer and every delivery. */
  consumerSecret: string;
  /**
   * Called once per direct message a user sent to the subscribed account, in delivery order.
   * `stamp` is undefined when the session store is down (the tracker emitted `error`).
   */
  onMessage: (message: TwitterDirectMessage, stamp: SessionStamp | undefined) => unknown;
  /** Largest delivery accepted, in bytes (413 above it). Default: 1 MiB. */
  bodyLimitBytes?: number;
  /** A delivery not received within this many milliseconds gets 408. Default 10 s. */
  readTimeoutMs?: number;
  /**
   * Receives what cannot be answered through HTTP: an `onMessage` that threw (after X got
   * its 200), with the request and the message. Default: Express's `next(error)` when mounted
   * in Express, else `console.error`.
   */
  onError?: (error: unknown, context: TwitterErrorContext) => void;
}

const OPTION_FIELDS = ['tracker', 'consumerSecret', 'onMessage', ...HTTP_OPTION_FIELDS];

export interface CheckedOptions extends HttpOptions<TwitterErrorContext> {
  tracker: SessionTracker;
  consumerSecret: string;
  onMessage: TwitterWebhookOptions['onMessage'];
}

/** Checks the options at construction; every refusal names the field and the value. */
export function checkOptions(options: TwitterWebhookOptions): CheckedOptions {
  checkOptionFields('twitterWebhook', options, OPTION_FIELDS);
  const { tracker, consumerSecret, onMessage } = options;
  checkTracker(tracker);
  if (typeof consumerSecret !== 'string' || consumerSecret === '') {
    throw new ConfigError(
      'consumerSecret',
      `consumerSecret must be the app's non-empty consumer secret, got ${JSON.stringify(consumerSecret)}`,
    );
  }
  checkFunction('onMessage', onMessage);
  return { tracker, consumerSecret, onMessage, ...checkHttpOptions<TwitterErrorContext>(options) };
}
