import {
  ConfigError,
  type ConversationRef,
  type SessionStamp,
  type SessionTracker,
  StoreUnavailableError,
} from '@botsession/core';
import type { AnyMiddlewareArgs, Logger, Middleware } from '@slack/bolt';
import { classify, type Incoming } from './map.js';
import { stampPostMessage, withinRequest } from './outbound.js';

export interface SlackBotSessionOptions {
  /**
   * The channel id sessions are tracked under, which picks the policy (24 h inactivity for `slack`).
   * Default: `'slack'`.
   */
  channel?: string;
  /**
   * Set it like your App's `processBeforeResponse` (true with `AwsLambdaReceiver`). Then a handler
   * that throws makes Bolt answer Slack with an error and Slack retries the event (up to 3 times,
   * `X-Slack-Retry-Num`): a failed attempt Slack will retry does not end the session, so the
   * retry is answered inside it; the last attempt's failure ends it `interrupted`. Default false,
   * Bolt's default: events are acknowledged before the handler runs, Slack never retries a
   * failed handler, and a failure ends the session at once.
   */
  processBeforeResponse?: boolean;
}

/** Context flavor: `new App<BotSessionContext>(…)` types `context.botSession`. */
export interface BotSessionContext {
  /** The session of the user's message; undefined for non-interactions and when the store is down. */
  botSession?: SessionStamp;
}

/** Where the middleware leaves the request's conversation for `refOf`. */
export const REF_KEY = Symbol.for('@botsession/slack.ref');

const OPTION_FIELDS = new Set(['channel', 'processBeforeResponse']);
/**
 * Slack retries an event it got no 2xx for three times, `X-Slack-Retry-Num` 1 to 3.
 * https://docs.slack.dev/apis/events-api/#retries
 */
const LAST_SLACK_RETRY = 3;

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
  const { channel, processBeforeResponse } = checkOptions(tracker, options);

  const trackInbound = async (incoming: Incoming, ref: ConversationRef, logger: Logger) => {
    try {
      // A Slack retry, or the app_mention twin of a message, repeats the delivery id: core counts
      // it once and answers with the first delivery's stamp (`redelivered: true`), in any process.
      return await tracker.track(ref, { direction: 'inbound', deliveryId: incoming.deliveryId });
    } catch (error) {
      reportUnemitted(error, logger);
      return undefined;
    }
  };

  /** Whether Slack will deliver this event again after the handler failed. */
  const slackWillRetry = (context: { retryNum?: number }) =>
    processBeforeResponse && (context.retryNum ?? 0) < LAST_SLACK_RETRY;

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
        // A post answering another bot's message or an edit counts only in an active session.
        const startsSession =
          own && inReplyTo === undefined && !incoming.repliesOpenSessions ? false : undefined;
        try {
          // Core decides: a reply to a session the handler ended (a handoff) counts nowhere and
          // opens nothing; it still carries that session's id.
          const stamp = await tracker.track(to, { direction: 'outbound', inReplyTo, startsSession });
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
      // error (app.error, or a 500 when processBeforeResponse is on). Not yet when Slack will
      // retry the event: the retry is answered in the same, still active, session.
      if (incoming.interaction && ref !== undefined) {
        if (slackWillRetry(context)) {
          logger.warn(
            `botsession: the handler failed on attempt ${(context.retryNum ?? 0) + 1}; Slack retries it, so the session stays open`,
          );
        } else {
          // Keyed by the message: a retry that fails again ends nothing the user opened since.
          const end = incoming.deliveryId === undefined ? undefined : { deliveryId: incoming.deliveryId };
          await tracker.end(ref, 'interrupted', end).catch((cause) => reportUnemitted(cause, logger));
        }
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

function checkOptions(
  tracker: SessionTracker,
  options: SlackBotSessionOptions,
): { channel: string; processBeforeResponse: boolean } {
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
      throw new ConfigError(
        field,
        `options.${field} is not an option of botSession (known: ${[...OPTION_FIELDS].join(', ')})`,
      );
    }
  }
  const { channel = 'slack', processBeforeResponse = false } = options;
  if (typeof channel !== 'string' || channel === '') {
    throw new ConfigError('channel', `options.channel must be a non-empty string, got ${describe(channel)}`);
  }
  if (typeof processBeforeResponse !== 'boolean') {
    throw new ConfigError(
      'processBeforeResponse',
      `options.processBeforeResponse must be true or false, got ${describe(processBeforeResponse)}`,
    );
  }
  return { channel, processBeforeResponse };
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
