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
  /** A delivery not received within this many milliseconds gets 408. Default 10 s. */
  readTimeoutMs?: number;
  /**
   * Receives what cannot be answered through HTTP: an `onMessage` that threw (after X got
   * its 200), with the request and the message. Default: Express's `next(error)` when mounted
   * in Express, else `console.error`.
   */
  onError?: (error: unknown, context: TwitterErrorContext) => void;
}

const OPTION_FIELDS = ['tracker', 'clientSecret', 'consumerSecret', 'onMessage', ...HTTP_OPTION_FIELDS];

/** The secrets X signs with: at least one of the two. */
export interface SigningSecrets {
  clientSecret?: string;
  consumerSecret?: string;
}

export interface CheckedOptions extends SigningSecrets, HttpOptions<TwitterErrorContext> {
  tracker: SessionTracker;
  onMessage: TwitterWebhookOptions['onMessage'];
}

/** Checks the options at construction; every refusal names the field (secrets are never echoed). */
export function checkOptions(options: TwitterWebhookOptions): CheckedOptions {
  checkOptionFields('twitterWebhook', options, OPTION_FIELDS);
  const { tracker, clientSecret, consumerSecret, onMessage } = options;
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
  const checked: CheckedOptions = { tracker, onMessage, ...checkHttpOptions<TwitterErrorContext>(options) };
  if (clientSecret !== undefined) checked.clientSecret = clientSecret;
  if (consumerSecret !== undefined) checked.consumerSecret = consumerSecret;
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
