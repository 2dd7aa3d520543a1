import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  checkBodyLimitBytes,
  checkFunction,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
} from '@botsession/webhook';
import type { TwitterDirectMessage } from './map.js';

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
  /**
   * Receives what cannot be answered through HTTP: an `onMessage` that threw (after X got
   * its 200). Default: Express's `next(error)` when mounted in Express, else `console.error`.
   */
  onError?: (error: unknown) => void;
}

const OPTION_FIELDS = ['tracker', 'consumerSecret', 'onMessage', 'bodyLimitBytes', 'onError'];

/** Checks the options at construction; every refusal names the field and the value. */
export function checkOptions(
  options: TwitterWebhookOptions,
): Required<Omit<TwitterWebhookOptions, 'onError'>> & Pick<TwitterWebhookOptions, 'onError'> {
  checkOptionFields('twitterWebhook', options, OPTION_FIELDS);
  const { tracker, consumerSecret, onMessage, onError } = options;
  checkTracker(tracker);
  if (typeof consumerSecret !== 'string' || consumerSecret === '') {
    throw new ConfigError(
      'consumerSecret',
      `consumerSecret must be the app's non-empty consumer secret, got ${JSON.stringify(consumerSecret)}`,
    );
  }
  checkFunction('onMessage', onMessage);
  const bodyLimitBytes = checkBodyLimitBytes(options.bodyLimitBytes);
  checkOptionalFunction('onError', onError);
  return { tracker, consumerSecret, onMessage, bodyLimitBytes, onError };
}
