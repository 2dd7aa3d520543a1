import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, type ConversationRef, type SessionStamp, type SessionTracker } from '@botsession/core';
import { checkFunction, checkOptionalFunction, checkOptionFields, checkTracker } from '@botsession/webhook';

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

/** The Node request handler `webChannel()` returns. */
export type WebChannelHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

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
  /** URL prefix of the widget and API (`'/botsession'` → `/botsession/widget.js`). Default `''`. */
  basePath?: string;
  /** Largest request body accepted, in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** Longest user message accepted, in characters. Default 4000. */
  maxTextLength?: number;
  /** `Access-Control-Allow-Origin` of the API, for a widget embedded on another origin. Default `'*'`. */
  allowOrigin?: string;
  /** The signed-in user's id, if your site knows it; becomes `ref.userId`. Default: none. */
  userIdOf?: (req: IncomingMessage) => string | undefined;
}

export interface ResolvedOptions {
  tracker: SessionTracker;
  onMessage: WebMessageHandler;
  secret: string;
  basePath: string;
  maxBodyBytes: number;
  maxTextLength: number;
  allowOrigin: string;
  userIdOf: ((req: IncomingMessage) => string | undefined) | undefined;
}

const FIELDS = [
  'tracker',
  'onMessage',
  'secret',
  'basePath',
  'maxBodyBytes',
  'maxTextLength',
  'allowOrigin',
  'userIdOf',
];
const MIN_SECRET_LENGTH = 32;

/** Checks the options once, at construction, and fills in the defaults. */
export function resolveOptions(options: WebChannelOptions): ResolvedOptions {
  checkOptionFields('webChannel', options, FIELDS);
  const { tracker, onMessage, secret } = options;
  checkTracker(tracker);
  checkFunction('onMessage', onMessage);
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    const got = typeof secret === 'string' ? `${secret.length} characters` : typeof secret;
    throw new ConfigError(
      'secret',
      `secret must be a string of at least ${MIN_SECRET_LENGTH} characters, got ${got}`,
    );
  }
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
  const allowOrigin = options.allowOrigin ?? '*';
  if (typeof allowOrigin !== 'string' || allowOrigin === '') {
    throw new ConfigError(
      'allowOrigin',
      `allowOrigin must be a non-empty string, got ${JSON.stringify(allowOrigin)}`,
    );
  }
  return {
    tracker,
    onMessage,
    secret,
    basePath,
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, 16 * 1024),
    maxTextLength: positiveInteger('maxTextLength', options.maxTextLength, 4000),
    allowOrigin,
    userIdOf,
  };
}

function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(field, `${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
