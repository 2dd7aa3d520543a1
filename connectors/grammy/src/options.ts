/** Checks of the options `botSession()` and `trackOutgoing()` share; a bad one throws at construction. */
import { ConfigError, type SessionTracker } from '@botsession/core';
import { TELEGRAM_CHANNEL } from './map.js';

export function checkTracker(tracker: unknown, caller: string): asserts tracker is SessionTracker {
  const candidate = tracker as Partial<SessionTracker> | null | undefined;
  if (typeof candidate?.track !== 'function' || typeof candidate.end !== 'function') {
    throw new ConfigError(
      'tracker',
      `${caller}: tracker must be a session tracker from createSessionTracker(), got ${describe(tracker)}`,
    );
  }
}

/** The `channel` option: `telegram` when unset, else a non-empty string. */
export function checkChannel(options: unknown, caller: string): string {
  if (options === undefined) return TELEGRAM_CHANNEL;
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `${caller}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'channel') {
      throw new ConfigError(key, `${caller}: ${key} is not an option (expected channel)`);
    }
  }
  const channel = (options as { channel?: unknown }).channel;
  if (channel === undefined) return TELEGRAM_CHANNEL;
  if (typeof channel !== 'string' || channel === '') {
    throw new ConfigError(
      'channel',
      `${caller}: channel must be a non-empty string, got ${describe(channel)}`,
    );
  }
  return channel;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return `an object without track() and end()`;
}
