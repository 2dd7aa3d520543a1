import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, type ConversationRef, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  type CheckedNewSessionLimit,
  checkAllowedOrigins,
  checkFunction,
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

/** What the bot's handler receives beside the user's text. */
export interface WebMessageContext {
  /** The conversation this message belongs to; pass it to any tracker call (`tracker.handoff(ctx.ref)`). */
  ref: ConversationRef;
  /** The session stamp of the user's message; undefined when the session store is down. */
  botSession: SessionStamp | undefined;
  /** The server-issued conversation id (also `ref.conversationId`). */
  conversationId: string;
  /** The HTTP request that carried the message (headers, cookies of your own auth, …). */
  req: IncomingMessage;
  /**
   * Sends a reply now (tracked at once), before anything else the handler does:
   * `await ctx.send('Connecting you…'); await tracker.handoff(ctx.ref)` counts that reply in the
   * session the handoff ends. Replies the handler returns are tracked after it returns: after a
   * handoff they are still sent, with the ended session's id, but not counted and open nothing.
   */
  send(text: string): Promise<void>;
}

/** The bot's answer: one reply, several, or none. */
export type WebReply = string | readonly string[] | undefined | null;

export type WebMessageHandler = (
  text: string,
  ctx: WebMessageContext,
) => WebReply | void | Promise<WebReply> | Promise<void>;

/** Express-style `next`, so the handler can be mounted with `app.use(...)`. */
export type NextFunction = (error?: unknown) => void;

/** The Node request handler `webChannel()` returns; its promise never rejects. */
export type WebChannelHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: NextFunction,
) => Promise<void>;

/** What `onError` receives beside the error: the request and, once known, the conversation. */
export interface WebErrorContext extends HttpErrorContext {
  conversationId?: string;
  ref?: ConversationRef;
}

export interface WebChannelOptions {
  /** The session tracker; every message of the chat goes through it on channel `web`. */
  tracker: SessionTracker;
  /** Called for each user message; returns the bot's reply text(s). */
  onMessage: WebMessageHandler;
  /**
   * Signs the conversation tokens (HMAC-SHA256). At least 32 characters; the same value on
   * every process that serves the chat, so a token issued by one is accepted by the others.
   */
  secret: string;
  /**
   * Secrets rotated out: tokens they signed are still accepted (and re-issued with `secret`)
   * until they expire. Rotate by moving the old `secret` here and setting a new one.
   */
  previousSecrets?: readonly string[];
  /** How long a conversation token is valid after it was issued or last renewed. Default 24 h. */
  tokenLifetimeMs?: number;
  /** URL prefix of the widget and API (`'/botsession'` → `/botsession/widget.js`). Default `''`. */
  basePath?: string;
  /** Largest request body accepted, in bytes (413 above it). Default 16 KiB. */
  bodyLimitBytes?: number;
  /** The older name of `bodyLimitBytes`. Kept working. */
  maxBodyBytes?: number;
  /** A body not received within this many milliseconds gets 408. Default 10 s. */
  readTimeoutMs?: number;
  /** Longest user message accepted, in characters. Default 4000. */
  maxTextLength?: number;
  /**
   * Other origins (`https://shop.example`) whose pages may use the API, for a widget embedded
   * there. Default: none, same-origin only; a request from another origin gets 403.
   */
  allowedOrigins?: readonly string[];
  /** The older, single-origin form of `allowedOrigins` (`'*'` is refused). Kept working. */
  allowOrigin?: string;
  /**
   * How many new sessions one client (by default one IP address) may open: a token bucket of
   * `burst` sessions refilled at `perMinute`; past it, `message` answers 429 with `Retry-After`
   * when it would open a session. Per process. Default `{ perMinute: 30, burst: 30 }`; `false` turns it off.
   */
  newSessionLimit?: NewSessionLimit | false;
  /** The signed-in user's id, if your site knows it; becomes `ref.userId`. Default: none. */
  userIdOf?: (req: IncomingMessage) => string | undefined;
  /**
   * Told of failures: `onMessage` throwing (the visitor gets 500 `the bot failed to answer`)
   * and any unexpected failure. Default: Express's `next(error)` when mounted there, else `console.error`.
   */
  onError?: (error: unknown, context: WebErrorContext) => void;
}

export interface ResolvedOptions extends HttpOptions<WebErrorContext> {
  tracker: SessionTracker;
  onMessage: WebMessageHandler;
  secret: string;
  previousSecrets: readonly string[];
  tokenLifetimeMs: number;
  basePath: string;
  maxTextLength: number;
  allowedOrigins: ReadonlySet<string>;
  newSessionLimit: CheckedNewSessionLimit | undefined;
  userIdOf: ((req: IncomingMessage) => string | undefined) | undefined;
}

const FIELDS = [
  'tracker',
  'onMessage',
  'secret',
  'previousSecrets',
  'tokenLifetimeMs',
  'basePath',
  'maxBodyBytes',
  'maxTextLength',
  'allowedOrigins',
  'allowOrigin',
  'newSessionLimit',
  'userIdOf',
  ...HTTP_OPTION_FIELDS,
];
const MIN_SECRET_LENGTH = 32;
/** A day: a visitor coming back the next day starts a new conversation; a stolen token dies. */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 60 * 60_000;
/** About one new chat every two seconds per IP, 30 at once: far above a person, far below a flood. */
export const DEFAULT_NEW_SESSION_LIMIT = { perMinute: 30, burst: 30 };

/** Checks the options once, at construction, and fills in the defaults. */
export function resolveOptions(options: WebChannelOptions): ResolvedOptions {
  checkOptionFields('webChannel', options, FIELDS);
  const { tracker, onMessage, secret } = options;
  checkTracker(tracker);
  checkFunction('onMessage', onMessage);
  checkSecret('secret', secret);
  const previousSecrets = options.previousSecrets ?? [];
  if (!Array.isArray(previousSecrets)) {
    throw new ConfigError(
      'previousSecrets',
      `previousSecrets must be an array of secrets, got ${typeof previousSecrets}`,
    );
  }
  previousSecrets.forEach((old: unknown, index) => void checkSecret(`previousSecrets[${index}]`, old));
  const basePath = options.basePath ?? '';
  if (
    typeof basePath !== 'string' ||
    (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))
  ) {
    throw new ConfigError(
      'basePath',
      `basePath must be '' or a path that starts and does not end with '/', got ${JSON.stringify(basePath)}`,
    );
  }
  const userIdOf = options.userIdOf;
  checkOptionalFunction('userIdOf', userIdOf);
  if (options.allowOrigin !== undefined && options.allowedOrigins !== undefined) {
    throw new ConfigError('allowOrigin', 'allowOrigin is the older name of allowedOrigins: set one of them');
  }
  const allowedOrigins =
    options.allowOrigin !== undefined
      ? checkAllowedOrigins('allowOrigin', options.allowOrigin)
      : checkAllowedOrigins('allowedOrigins', options.allowedOrigins);
  if (options.maxBodyBytes !== undefined && options.bodyLimitBytes !== undefined) {
    throw new ConfigError(
      'maxBodyBytes',
      'maxBodyBytes is the older name of bodyLimitBytes: set one of them',
    );
  }
  const legacyLimit = positiveInteger('maxBodyBytes', options.maxBodyBytes, 16 * 1024);
  return {
    tracker,
    onMessage,
    secret,
    previousSecrets: [...previousSecrets],
    tokenLifetimeMs: positiveInteger('tokenLifetimeMs', options.tokenLifetimeMs, DEFAULT_TOKEN_LIFETIME_MS),
    basePath,
    maxTextLength: positiveInteger('maxTextLength', options.maxTextLength, 4000),
    allowedOrigins,
    newSessionLimit: checkNewSessionLimit(options.newSessionLimit, DEFAULT_NEW_SESSION_LIMIT),
    userIdOf,
    ...checkHttpOptions<WebErrorContext>(options, legacyLimit),
  };
}

function checkSecret(field: string, secret: unknown): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    const got = typeof secret === 'string' ? `${secret.length} characters` : typeof secret;
    throw new ConfigError(
      field,
      `${field} must be a string of at least ${MIN_SECRET_LENGTH} characters, got ${got}`,
    );
  }
}

function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(field, `${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
