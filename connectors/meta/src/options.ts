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
import type { MetaEvent } from './event.js';

/**
 * What `onError` receives beside the error: the request and, for a failure of `onMessage`,
 * the event. The event's own fields are spread onto the context too (`context.channel`), as
 * `onError(error, event)` received the event itself before the context existed.
 */
export type MetaErrorContext = HttpErrorContext & { event?: MetaEvent } & Partial<MetaEvent>;

export interface MetaWebhookOptions {
  /** The session tracker (`createSessionTracker()`); the connector only calls it. */
  tracker: SessionTracker;
  /** The Meta app's App Secret: `X-Hub-Signature-256` is an HMAC-SHA256 of the body with it. */
  appSecret: string;
  /** The Verify Token you typed in the app dashboard, echoed back in the GET verification. */
  verifyToken: string;
  /** Called once per user message or postback, with its stamp (undefined when the store is down). */
  onMessage: (event: MetaEvent, stamp: SessionStamp | undefined) => unknown;
  /**
   * The bot's own app id. With it, a `pass_thread_control` that hands the thread back to this
   * app is not taken for a handoff. Default: every `pass_thread_control` is a handoff.
   */
  appId?: string;
  /**
   * Told when `onMessage` throws (the session then ends `interrupted`; Meta still gets its 200)
   * or anything else fails. Default: Express's `next(error)` when mounted in Express, else
   * `console.error`.
   */
  onError?: (error: unknown, context: MetaErrorContext) => void;
  /** Larger bodies get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** A body not received within this many milliseconds gets 408. Default 10 s. */
  readTimeoutMs?: number;
}

export interface CheckedOptions extends HttpOptions<MetaErrorContext> {
  tracker: SessionTracker;
  appSecret: string;
  verifyToken: string;
  onMessage: MetaWebhookOptions['onMessage'];
  appId?: string;
}

const FIELDS = ['tracker', 'appSecret', 'verifyToken', 'onMessage', 'appId', ...HTTP_OPTION_FIELDS];

/** Validates the options once, at construction: a bad one throws a ConfigError naming it. */
export function checkOptions(options: MetaWebhookOptions): CheckedOptions {
  checkOptionFields('metaWebhook', options, FIELDS);
  const { tracker, appSecret, verifyToken, onMessage, appId } = options;
  checkTracker(tracker);
  requireText('appSecret', appSecret);
  requireText('verifyToken', verifyToken);
  checkFunction('onMessage', onMessage);
  if (appId !== undefined && !/^\d+$/.test(String(appId))) {
    throw new ConfigError(
      'appId',
      `appId must be the app's numeric id as a string, got ${JSON.stringify(appId)}`,
    );
  }
  const checked: CheckedOptions = {
    tracker,
    appSecret,
    verifyToken,
    onMessage,
    ...checkHttpOptions<MetaErrorContext>(options),
  };
  if (appId !== undefined) checked.appId = String(appId);
  return checked;
}

function requireText(field: 'appSecret' | 'verifyToken', value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    // Never echo a secret's value: only its type.
    throw new ConfigError(
      field,
      `${field} must be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`,
    );
  }
}
