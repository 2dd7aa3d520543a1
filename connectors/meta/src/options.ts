import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  checkBodyLimitBytes,
  checkFunction,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
} from '@botsession/webhook';
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
  const { tracker, appSecret, verifyToken, onMessage, appId, onError } = options;
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
  checkOptionalFunction('onError', onError);
  const bodyLimitBytes = checkBodyLimitBytes(options.bodyLimitBytes);
  const checked: CheckedOptions = {
    tracker,
    appSecret,
    verifyToken,
    onMessage,
    onError: onError ?? reportToConsole,
    bodyLimitBytes,
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
