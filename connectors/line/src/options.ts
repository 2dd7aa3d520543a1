import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  checkBodyLimitBytes,
  checkFunction,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
} from '@botsession/webhook';
import type { webhook } from '@line/bot-sdk';
import { LINE_CHANNEL } from './map.js';

export interface LineWebhookOptions {
  /** The session tracker (`createSessionTracker()`); the connector only calls it. */
  tracker: SessionTracker;
  /** The channel secret (LINE Developers Console, Basic settings): `x-line-signature` is an HMAC of the body with it. */
  channelSecret: string;
  /**
   * Called once per event, in the body's order, with its session stamp: the stamp `track()`
   * returned for a message or postback (`redelivered: true` when LINE sent it before); for any
   * other event in a chat, the active session (`isNew: false`) or undefined; undefined too when
   * the store is down.
   */
  onEvent: (event: webhook.Event, stamp: SessionStamp | undefined) => unknown;
  /** Told when `onEvent` throws (the session then ends `interrupted`). Default: `console.error`. */
  onError?: (error: unknown, event: webhook.Event) => void;
  /** Channel id the sessions are tracked under; it picks the policy. Default: `line` (24 h). */
  channel?: string;
  /** Larger bodies get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
}

export interface CheckedOptions {
  tracker: SessionTracker;
  channelSecret: string;
  onEvent: LineWebhookOptions['onEvent'];
  onError: NonNullable<LineWebhookOptions['onError']>;
  channel: string;
  bodyLimitBytes: number;
}

const FIELDS = ['tracker', 'channelSecret', 'onEvent', 'onError', 'channel', 'bodyLimitBytes'];

/** Validates the options once, at construction: a bad one throws a ConfigError naming it. */
export function checkOptions(options: LineWebhookOptions): CheckedOptions {
  checkOptionFields('lineWebhook', options, FIELDS);
  const { tracker, channelSecret, onEvent, onError, channel } = options;
  checkTracker(tracker);
  if (typeof channelSecret !== 'string' || channelSecret === '') {
    // Never echo a secret's value: only its type.
    throw new ConfigError(
      'channelSecret',
      `channelSecret must be a non-empty string, got ${channelSecret === '' ? 'an empty string' : typeof channelSecret}`,
    );
  }
  checkFunction('onEvent', onEvent);
  checkOptionalFunction('onError', onError);
  if (channel !== undefined && (typeof channel !== 'string' || channel === '')) {
    throw new ConfigError('channel', `channel must be a non-empty string, got ${JSON.stringify(channel)}`);
  }
  return {
    tracker,
    channelSecret,
    onEvent,
    onError: onError ?? reportToConsole,
    channel: channel ?? LINE_CHANNEL,
    bodyLimitBytes: checkBodyLimitBytes(options.bodyLimitBytes),
  };
}

function reportToConsole(error: unknown, event: webhook.Event): void {
  console.error(`[botsession/line] onEvent failed for a ${event.type} event:`, error);
}
