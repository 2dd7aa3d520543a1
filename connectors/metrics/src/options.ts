import { ConfigError } from '@botsession/core';
import type { ReportingTracker } from './ledger.js';

/** Options both views share. */
export interface CommonMetricsOptions {
  /** The session tracker: its ledger (`tracker.report`) and its events. */
  tracker: ReportingTracker;
  /** Channels with a label of their own (core's first, then alphabetical); the rest are `other`. Default 20. */
  maxChannels?: number;
  /** Remembered ended session ids, so a redelivered end is observed once. Default 10 000. */
  rememberEnds?: number;
  /** Clock in epoch ms: the end of each report's range and the time an end is observed. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedCommonOptions {
  tracker: ReportingTracker;
  maxChannels: number;
  rememberEnds: number;
  now: () => number;
}

export const COMMON_FIELDS = ['tracker', 'maxChannels', 'rememberEnds', 'now'];

/** Throws a ConfigError naming the first unknown field, so a typo never silently does nothing. */
export function checkFields(factory: string, options: unknown, fields: string[]): asserts options is object {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `${factory} options must be an object, got ${String(options)}`);
  }
  for (const field of Object.keys(options)) {
    if (!fields.includes(field)) {
      throw new ConfigError(
        field,
        `${field} is not a ${factory} option (expected one of ${fields.join(', ')})`,
      );
    }
  }
}

export function resolveCommon(options: CommonMetricsOptions): ResolvedCommonOptions {
  const { tracker } = options;
  if (
    typeof tracker !== 'object' ||
    tracker === null ||
    typeof tracker.report !== 'function' ||
    typeof tracker.on !== 'function'
  ) {
    throw new ConfigError(
      'tracker',
      `tracker must be a session tracker with report() (createSessionTracker()), got ${tracker === null ? 'null' : typeof tracker}`,
    );
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new ConfigError('now', `now must be a function returning epoch ms, got ${typeof options.now}`);
  }
  return {
    tracker,
    maxChannels: positiveInteger('maxChannels', options.maxChannels, 20),
    rememberEnds: positiveInteger('rememberEnds', options.rememberEnds, 10_000),
    now: options.now ?? Date.now,
  };
}

export function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
