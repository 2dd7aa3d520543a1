import type { IncomingMessage } from 'node:http';
import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  type CheckedNewSessionLimit,
  checkAllowedOrigins,
  checkHttpOptions,
  checkNewSessionLimit,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
  HTTP_OPTION_FIELDS,
  type HttpErrorContext,
  type HttpOptions,
  type NewSessionLimit,
} from '@botsession/webhook';
import type { HelpSource } from './map.js';
import type { HelpEvent } from './protocol.js';

/** What `onError` receives beside the error: the request and, once known, the tab and the event. */
export interface HelpErrorContext extends HttpErrorContext {
  source?: HelpSource;
  event?: HelpEvent;
}

/** What `onEvent` receives with each event. */
export interface HelpEventContext {
  /** The tab (and user) the event came from; `refOf(source)` gives its ConversationRef. */
  source: HelpSource;
  /** The session stamp, or undefined when the session store is down. */
  stamp: SessionStamp | undefined;
  req: IncomingMessage;
}

export interface HelpCenterOptions {
  /** The session tracker from `@botsession/core`. */
  tracker: SessionTracker;
  /** Where the handler answers: `${basePath}/tracker.js` and `${basePath}/events`. Default `/botsession`. */
  basePath?: string;
  /** Called for every counted event, after it is tracked. A throw ends the session (`interrupted`). */
  onEvent?: (event: HelpEvent, context: HelpEventContext) => void | Promise<void>;
  /** The signed-in user of a request, when the site has one (for example from its own session cookie). */
  userIdOf?: (req: IncomingMessage) => string | undefined;
  /** Largest accepted events body, in bytes (at least 256; 413 above it). Default 16 KiB. */
  bodyLimitBytes?: number;
  /** The older name of `bodyLimitBytes`. Kept working. */
  maxBodyBytes?: number;
  /** A body not received within this many milliseconds gets 408. Default 10 s. */
  readTimeoutMs?: number;
  /**
   * Other origins (`https://docs.example`) whose pages may send events, for a tracker script
   * on another origin. Default: none, same-origin only; a request from another origin gets 403.
   */
  allowedOrigins?: readonly string[];
  /**
   * How many new sessions one client (by default one IP address) may open: a token bucket of
   * `burst` sessions refilled at `perMinute`; past it, an event that would open a session gets
   * 429 with `Retry-After` (events inside an active session still count). Per process.
   * Default `{ perMinute: 60, burst: 60 }`; `false` turns it off.
   */
  newSessionLimit?: NewSessionLimit | false;
  /**
   * Told when `onEvent` throws (the page gets 500; the session ends `interrupted`) and of any
   * unexpected failure. Default: Express's `next(error)` when mounted there, else `console.error`.
   */
  onError?: (error: unknown, context: HelpErrorContext) => void;
}

export interface ResolvedOptions extends HttpOptions<HelpErrorContext> {
  tracker: SessionTracker;
  basePath: string;
  onEvent: HelpCenterOptions['onEvent'];
  userIdOf: HelpCenterOptions['userIdOf'];
  allowedOrigins: ReadonlySet<string>;
  newSessionLimit: CheckedNewSessionLimit | undefined;
}

const FIELDS = [
  'tracker',
  'basePath',
  'onEvent',
  'userIdOf',
  'maxBodyBytes',
  'allowedOrigins',
  'newSessionLimit',
  ...HTTP_OPTION_FIELDS,
];
/** Help centers open a session per tab: a reader with many tabs stays far below this. */
export const DEFAULT_NEW_SESSION_LIMIT = { perMinute: 60, burst: 60 };
const BASE_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

/** Checks the options at construction: a bad one throws ConfigError naming the field. */
export function resolveOptions(options: HelpCenterOptions): ResolvedOptions {
  checkOptionFields('helpCenter', options, FIELDS);
  const { tracker, onEvent, userIdOf } = options;
  checkTracker(tracker);
  const rawBasePath = options.basePath ?? '/botsession';
  if (typeof rawBasePath !== 'string' || !BASE_PATH.test(rawBasePath)) {
    throw new ConfigError(
      'basePath',
      `basePath must be a URL path starting with / (letters, digits, . _ ~ - /), got ${JSON.stringify(options.basePath)}`,
    );
  }
  // `/botsession/` and `/botsession` are the same mount point; `/` mounts at the root.
  const basePath = rawBasePath.replace(/\/+$/, '');
  checkOptionalFunction('onEvent', onEvent);
  checkOptionalFunction('userIdOf', userIdOf);
  if (options.maxBodyBytes !== undefined && options.bodyLimitBytes !== undefined) {
    throw new ConfigError(
      'maxBodyBytes',
      'maxBodyBytes is the older name of bodyLimitBytes: set one of them',
    );
  }
  const limitField = options.maxBodyBytes !== undefined ? 'maxBodyBytes' : 'bodyLimitBytes';
  const limit = options.maxBodyBytes ?? options.bodyLimitBytes ?? 16 * 1024;
  if (!Number.isSafeInteger(limit) || limit < 256) {
    throw new ConfigError(
      limitField,
      `${limitField} must be an integer of at least 256, got ${String(limit)}`,
    );
  }
  return {
    tracker,
    basePath,
    onEvent,
    userIdOf,
    allowedOrigins: checkAllowedOrigins('allowedOrigins', options.allowedOrigins),
    newSessionLimit: checkNewSessionLimit(options.newSessionLimit, DEFAULT_NEW_SESSION_LIMIT),
    ...checkHttpOptions<HelpErrorContext>({ ...options, bodyLimitBytes: limit }),
  };
}
