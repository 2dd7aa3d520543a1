import {
  ConfigError,
  type ConversationRef,
  type SessionStamp,
  type SessionTracker,
  StoreUnavailableError,
} from '@botsession/core';
import type { AnyMiddlewareArgs, Logger, Middleware } from '@slack/bolt';
import { RecentDeliveries } from './deliveries.js';
import { classify, type Incoming } from './map.js';
import { stampPostMessage, withinRequest } from './outbound.js';

export interface SlackBotSessionOptions {
  /**
   * The channel id sessions are tracked under, which picks the policy (24 h inactivity for `slack`).
   * Default: `'slack'`.
   */
  channel?: string;
}

/** Context flavor: `new App<BotSessionContext>(…)` types `context.botSession`. */
export interface BotSessionContext {
  /** The session of the user's message; undefined for non-interactions and when the store is down. */
  botSession?: SessionStamp;
}

/** Where the middleware leaves the request's conversation for `refOf`. */
export const REF_KEY = Symbol.for('@botsession/slack.ref');

const OPTION_FIELDS = new Set(['channel']);
// Enough to cover the seconds between Slack's two deliveries of one message under heavy traffic.
const RECENT_MESSAGES = 10_000;

/**
 * Bolt global middleware: counts every user message, app mention and button click as an inbound
 * interaction, puts its stamp on `context.botSession`, and stamps and counts every message the bot posts
 * with `say` or `client.chat.postMessage` while handling the request.
 *
 * @example
 * const tracker = createSessionTracker();
 * const app = new App<BotSessionContext>({ token, signingSecret });
 * app.use(botSession(tracker));
 * app.message(async ({ context, say }) => {
 *   await say(`session ${context.botSession?.sessionId}`);
 * });
 */
export function botSession(
  tracker: SessionTracker,
  options: SlackBotSessionOptions = {},
): Middleware<AnyMiddlewareArgs> {
  const channel = checkOptions(tracker, options);
  const deliveries = new RecentDeliveries<SessionStamp>(RECENT_MESSAGES);

  const trackInbound = async (incoming: Incoming, ref: ConversationRef, logger: Logger) => {
    try {
      const track = () => tracker.track(ref, { direction: 'inbound' });
      return await (incoming.messageKey === undefined
        ? track()
        : deliveries.once(incoming.messageKey, track));
    } catch (error) {
      reportUnemitted(error, logger);
      return undefined;
    }
  };

  return async ({ body, context, client, logger, next }) => {
    const incoming = classify(body, context, channel);
    const ref = incoming.ref;
    if (ref !== undefined) (context as unknown as Record<symbol, unknown>)[REF_KEY] = ref;
    if (incoming.interaction && ref !== undefined) {
      context.botSession = await trackInbound(incoming, ref, logger);
    }

    stampPostMessage(client);
    // The session the request's replies answer: the user's message's, or the one the first post
    // of a request without a stamp (a welcome) opened.
    let answering = context.botSession?.sessionId;
    const scope = {
      channel,
      inbound: ref,
      async trackOutbound(to: ConversationRef) {
        // Only a post into the request's own conversation answers it; another one is proactive.
        const own = ref !== undefined && to.conversationId === ref.conversationId;
        const inReplyTo = own ? answering : undefined;
        try {
          // Core decides: a reply to a session the handler ended (a handoff) counts nowhere and
          // opens nothing; it still carries that session's id.
          const stamp = await tracker.track(to, { direction: 'outbound', inReplyTo });
          if (own && stamp !== undefined) answering = stamp.sessionId;
          return stamp?.sessionId ?? inReplyTo;
        } catch (error) {
          reportUnemitted(error, logger);
          return undefined;
        }
      },
    };
    try {
      await withinRequest(scope, next);
    } catch (error) {
      // The pipeline failed: the policy decides whether that ends the session. Bolt still gets the
      // error (app.error, or a 500 when processBeforeResponse is on).
      if (incoming.interaction && ref !== undefined) {
        await tracker.end(ref, 'interrupted').catch((cause) => reportUnemitted(cause, logger));
      }
      throw error;
    }
  };
}

/**
 * The tracker already emits `error` for a store failure; anything else (a closed tracker) would vanish,
 * so it goes to Bolt's logger.
 */
function reportUnemitted(error: unknown, logger: Logger): void {
  if (error instanceof StoreUnavailableError) return;
  logger.warn(`botsession: session tracking failed, the handler runs without a stamp: ${String(error)}`);
}

function checkOptions(tracker: SessionTracker, options: SlackBotSessionOptions): string {
  if (typeof tracker !== 'object' || tracker === null || typeof tracker.track !== 'function') {
    throw new ConfigError(
      'tracker',
      `tracker must be a SessionTracker from createSessionTracker(), got ${describe(tracker)}`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `options must be an object, got ${describe(options)}`);
  }
  for (const field of Object.keys(options)) {
    if (!OPTION_FIELDS.has(field)) {
      throw new ConfigError(field, `options.${field} is not an option of botSession (known: channel)`);
    }
  }
  const { channel = 'slack' } = options;
  if (typeof channel !== 'string' || channel === '') {
    throw new ConfigError('channel', `options.channel must be a non-empty string, got ${describe(channel)}`);
  }
  return channel;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
