import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import { checkOptionFields, checkTracker, DEFAULT_BODY_LIMIT_BYTES } from '@botsession/webhook';
import type { MetaEvent } from './event.js';

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
  /** Told when `onMessage` throws (the session then ends `interrupted`). Default: `console.error`. */
  onError?: (error: unknown, event: MetaEvent) => void;
  /** Larger bodies get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
}

export type CheckedOptions = Required<Omit<MetaWebhookOptions, 'appId'>> & { appId?: string };

const FIELDS = ['tracker', 'appSecret', 'verifyToken', 'onMessage', 'appId', 'onError', 'bodyLimitBytes'];

/** Validates the options once, at construction: a bad one throws a ConfigError naming it. */
export function checkOptions(options: MetaWebhookOptions): CheckedOptions {
  checkOptionFields('metaWebhook', options, FIELDS);
  const { tracker, appSecret, verifyToken, onMessage, appId, onError, bodyLimitBytes } = options;
  checkTracker(tracker);
  requireText('appSecret', appSecret);
  requireText('verifyToken', verifyToken);
  if (typeof onMessage !== 'function') {
    throw new ConfigError('onMessage', `onMessage must be a function, got ${typeof onMessage}`);
  }
  if (appId !== undefined && !/^\d+$/.test(String(appId))) {
    throw new ConfigError(
      'appId',
      `appId must be the app's numeric id as a string, got ${JSON.stringify(appId)}`,
    );
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw new ConfigError('onError', `onError must be a function, got ${typeof onError}`);
  }
  if (bodyLimitBytes !== undefined && !(Number.isSafeInteger(bodyLimitBytes) && bodyLimitBytes > 0)) {
    throw new ConfigError(
      'bodyLimitBytes',
      `bodyLimitBytes must be a positive whole number of bytes, got ${String(bodyLimitBytes)}`,
    );
  }
  const checked: CheckedOptions = {
    tracker,
    appSecret,
    verifyToken,
    onMessage,
    onError: onError ?? reportToConsole,
    bodyLimitBytes: bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
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

function reportToConsole(error: unknown, event: MetaEvent): void {
  console.error(`[botsession/meta] onMessage failed for a ${event.channel} message:`, error);
}
