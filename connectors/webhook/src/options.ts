import { ConfigError, type SessionTracker } from '@botsession/core';
import type { HttpErrorContext, HttpErrorHandler } from './http-layer.js';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_READ_TIMEOUT_MS } from './raw-body.js';

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

/**
 * The `readTimeoutMs` option: 10 s when unset, else a whole number of milliseconds from 1 to
 * 10 minutes (a ConfigError naming the field and value otherwise).
 */
export function checkReadTimeoutMs(value: unknown): number {
  if (value === undefined) return DEFAULT_READ_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > 600_000) {
    throw new ConfigError(
      'readTimeoutMs',
      `readTimeoutMs must be a whole number of milliseconds from 1 to 600000, got ${String(value)}`,
    );
  }
  return value;
}

/** The option fields every HTTP connector takes, beside its own. */
export const HTTP_OPTION_FIELDS = ['bodyLimitBytes', 'readTimeoutMs', 'onError'] as const;

/** The HTTP options every connector shares, checked: what `httpLayer` needs besides the connector's name. */
export interface HttpOptions<C extends HttpErrorContext = HttpErrorContext> {
  bodyLimitBytes: number;
  readTimeoutMs: number;
  onError: HttpErrorHandler<C> | undefined;
}

/**
 * Checks the shared HTTP options (`bodyLimitBytes`, `readTimeoutMs`, `onError`) at
 * construction; `defaultBodyLimitBytes` is the connector's own default (web and help: 16 KiB).
 *
 * @example
 * const http = httpLayer({ connector: '@botsession/x', ...checkHttpOptions(options) });
 */
export function checkHttpOptions<C extends HttpErrorContext = HttpErrorContext>(
  options: { bodyLimitBytes?: unknown; readTimeoutMs?: unknown; onError?: unknown },
  defaultBodyLimitBytes: number = DEFAULT_BODY_LIMIT_BYTES,
): HttpOptions<C> {
  const bodyLimitBytes =
    options.bodyLimitBytes === undefined
      ? defaultBodyLimitBytes
      : checkBodyLimitBytes(options.bodyLimitBytes);
  const readTimeoutMs = checkReadTimeoutMs(options.readTimeoutMs);
  checkOptionalFunction('onError', options.onError);
  return { bodyLimitBytes, readTimeoutMs, onError: options.onError as HttpErrorHandler<C> | undefined };
}
