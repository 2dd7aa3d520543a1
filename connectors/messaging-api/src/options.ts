import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  checkFunction,
  checkHttpOptions,
  checkOptionFields,
  checkTracker,
  HTTP_OPTION_FIELDS,
  type HttpErrorContext,
  type HttpOptions,
} from '@botsession/webhook';

/** A user's message, as `POST /v1/messages` received it. */
export interface ApiMessage {
  conversationId: string;
  userId: string;
  text: string;
}

/** What may follow the replies, in order: replies first, then this, in the same session. */
export type FollowUp = 'handoff' | 'surveySent' | 'surveyAnswered';

/**
 * What `onMessage` returns: a reply, several, nothing, or replies and a follow-up
 * (`{ replies: ['A human will take over'], after: 'handoff' }`).
 */
export type MessageReply =
  | string
  | readonly string[]
  | { replies?: string | readonly string[]; after?: FollowUp }
  | undefined;

export interface MessagingApiOptions {
  /** The session tracker (`createSessionTracker()` from `@botsession/core`). */
  tracker: SessionTracker;
  /** Accepted bearer API keys (several, so keys can be rotated without downtime). */
  apiKeys: readonly string[];
  /**
   * Answers a user's message. `stamp` is undefined when the session store is down (the
   * tracker emitted `error`); the replies are still returned.
   */
  onMessage: (message: ApiMessage, stamp: SessionStamp | undefined) => MessageReply | Promise<MessageReply>;
  /** Largest request body, in bytes (413 above it). Default: 1 MiB. */
  bodyLimitBytes?: number;
  /** A body not received within this many milliseconds gets 408. Default: 10 s. */
  readTimeoutMs?: number;
  /**
   * Receives failures the caller only sees as a 500 (an `onMessage` that threw), with the
   * request and, when there is one, the message. Default: Express's `next(error)` when mounted
   * in Express, else `console.error`.
   */
  onError?: (error: unknown, context: MessagingApiErrorContext) => void;
}

/** What `onError` receives beside the error. */
export interface MessagingApiErrorContext extends HttpErrorContext {
  /** The message being answered, when the failure happened while answering one. */
  message?: ApiMessage;
}

const OPTION_FIELDS = ['tracker', 'apiKeys', 'onMessage', ...HTTP_OPTION_FIELDS];

export interface CheckedOptions extends HttpOptions<MessagingApiErrorContext> {
  tracker: SessionTracker;
  apiKeys: readonly string[];
  onMessage: MessagingApiOptions['onMessage'];
}

/** Checks the options at construction; every refusal names the field and the value. */
export function checkOptions(options: MessagingApiOptions): CheckedOptions {
  checkOptionFields('messagingApi', options, OPTION_FIELDS);
  const { tracker, apiKeys, onMessage } = options;
  checkTracker(tracker);
  if (!Array.isArray(apiKeys) || apiKeys.length === 0) {
    throw new ConfigError(
      'apiKeys',
      `apiKeys must be a non-empty array of API keys, got ${JSON.stringify(apiKeys)}`,
    );
  }
  apiKeys.forEach((key: unknown, index) => {
    // Short keys can be guessed; 16 characters is the least a random key should have.
    if (typeof key !== 'string' || key.length < 16 || /\s/.test(key)) {
      throw new ConfigError(
        `apiKeys[${index}]`,
        `apiKeys[${index}] must be a string of at least 16 characters without spaces, got ${typeof key === 'string' ? `${key.length} characters` : typeof key}`,
      );
    }
  });
  checkFunction('onMessage', onMessage);
  return {
    tracker,
    apiKeys: [...apiKeys],
    onMessage,
    ...checkHttpOptions<MessagingApiErrorContext>(options),
  };
}
