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
  /**
   * The app's OAuth 2.0 client secret. X signs each delivery with it in
   * `X-Twitter-Webhooks-Signature-OAuth2` (the header X recommends) and, when it is set, the
   * CRC answer is signed with it. Set this, `consumerSecret`, or both (during a migration).
   */
  clientSecret?: string;
  /**
   * The app's OAuth 1.0a consumer secret (API secret key): X signs deliveries with it in the
   * legacy `X-Twitter-Webhooks-Signature`, and the CRC answer when no `clientSecret` is set.
   */
  consumerSecret?: string;
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

const OPTION_FIELDS = ['tracker', 'clientSecret', 'consumerSecret', 'onMessage', 'bodyLimitBytes', 'onError'];

/** The secrets X signs with: at least one of the two. */
export interface SigningSecrets {
  clientSecret?: string;
  consumerSecret?: string;
}

export interface CheckedOptions extends SigningSecrets {
  tracker: SessionTracker;
  onMessage: TwitterWebhookOptions['onMessage'];
  bodyLimitBytes: number;
  onError?: (error: unknown) => void;
}

/** Checks the options at construction; every refusal names the field (secrets are never echoed). */
export function checkOptions(options: TwitterWebhookOptions): CheckedOptions {
  checkOptionFields('twitterWebhook', options, OPTION_FIELDS);
  const { tracker, clientSecret, consumerSecret, onMessage, onError } = options;
  checkTracker(tracker);
  checkSecret('clientSecret', clientSecret);
  checkSecret('consumerSecret', consumerSecret);
  if (clientSecret === undefined && consumerSecret === undefined) {
    throw new ConfigError(
      'consumerSecret',
      'clientSecret (OAuth 2.0 client secret) or consumerSecret (OAuth 1.0a API secret key) is required: X signs every delivery with one of them',
    );
  }
  checkFunction('onMessage', onMessage);
  const bodyLimitBytes = checkBodyLimitBytes(options.bodyLimitBytes);
  checkOptionalFunction('onError', onError);
  const checked: CheckedOptions = { tracker, onMessage, bodyLimitBytes };
  if (clientSecret !== undefined) checked.clientSecret = clientSecret;
  if (consumerSecret !== undefined) checked.consumerSecret = consumerSecret;
  if (onError !== undefined) checked.onError = onError;
  return checked;
}

function checkSecret(field: 'clientSecret' | 'consumerSecret', value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new ConfigError(
      field,
      `${field} must be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`,
    );
  }
}
