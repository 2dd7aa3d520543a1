import { ConfigError, type SessionTracker } from '@botsession/core';
import { DEFAULT_BODY_LIMIT_BYTES } from './raw-body.js';

/**
 * The checks every connector factory starts with: the options are an object, and every field
 * is one the factory knows. An unknown field throws rather than being ignored, because it is
 * almost always a typo (`basepath`) whose intended setting would otherwise silently not apply.
 *
 * @example
 * checkOptionFields('webChannel', options, ['tracker', 'onMessage', 'secret']);
 */
export function checkOptionFields(
  factoryName: string,
  options: unknown,
  allowedFields: Iterable<string>,
): asserts options is object {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `${factoryName} options must be an object, got ${String(options)}`);
  }
  const allowed = new Set(allowedFields);
  for (const field of Object.keys(options)) {
    if (!allowed.has(field)) {
      throw new ConfigError(
        field,
        `${field} is not a ${factoryName} option (expected one of ${[...allowed].join(', ')})`,
      );
    }
  }
}

/**
 * Checks that `value` is a session tracker. Duck-typed on `track`, so a tracker from another
 * copy of `@botsession/core` (two versions in node_modules) is still accepted.
 */
export function checkTracker(value: unknown): asserts value is SessionTracker {
  if (typeof value !== 'object' || value === null || typeof (value as SessionTracker).track !== 'function') {
    throw new ConfigError(
      'tracker',
      `tracker must be a session tracker from createSessionTracker(), got ${value === null ? 'null' : typeof value}`,
    );
  }
}

/** Checks a required callback option (`onMessage`): ConfigError naming it unless a function. */
export function checkFunction(field: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw new ConfigError(field, `${field} must be a function, got ${typeof value}`);
  }
}

/** Checks an optional callback option (`onError`): absent, or a function. */
export function checkOptionalFunction(
  field: string,
  value: unknown,
): asserts value is ((...args: never[]) => unknown) | undefined {
  if (value !== undefined) checkFunction(field, value);
}

/**
 * The `bodyLimitBytes` option: the default (1 MiB) when unset, else a positive whole number of
 * bytes (a ConfigError naming the field and value otherwise).
 */
export function checkBodyLimitBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_BODY_LIMIT_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(
      'bodyLimitBytes',
      `bodyLimitBytes must be a positive integer number of bytes, got ${String(value)}`,
    );
  }
  return value;
}
