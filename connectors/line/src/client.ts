/**
 * Counts the bot's messages sent through the SDK's client: a reply (to the conversation of the
 * event whose reply token it uses), a push, and a multicast (once per recipient). A send is
 * counted after LINE accepted it: a send that failed is no interaction.
 */
import { ConfigError, type ConversationRef, type SessionTracker } from '@botsession/core';
import { checkTracker, unlessStoreDownOrReport } from '@botsession/webhook';
import { LINE_CHANNEL, refOfRecipient } from './map.js';
import { takeReplyToken } from './replies.js';

export interface TrackedClientOptions {
  /** Channel id of pushed and multicast messages (replies follow their event's). Default: `line`. */
  channel?: string;
}

type Counter = (tracker: SessionTracker, request: unknown, context: CountContext) => Promise<void>;

interface CountContext {
  channel: string;
  warnUnknownToken: () => void;
}

/**
 * The client methods that deliver messages to known conversations, and how each is counted.
 * `…WithHttpInfo` are the same calls returning the HTTP response too. Broadcast and narrowcast
 * reach recipients LINE chooses, unknown here, so they count nothing.
 * https://developers.line.biz/en/reference/messaging-api/#send-reply-message
 */
const COUNTERS: Readonly<Record<string, Counter>> = {
  replyMessage: countReply,
  replyMessageWithHttpInfo: countReply,
  pushMessage: countPush,
  pushMessageWithHttpInfo: countPush,
  multicast: countMulticast,
  multicastWithHttpInfo: countMulticast,
};

/**
 * The same LINE client (`messagingApi.MessagingApiClient` or `LineBotClient`), except that every
 * message it replies, pushes or multicasts is counted as the bot's (outbound) once LINE accepted
 * it. A reply is tied to the session of the event it answers, so after a handoff in the handler
 * it counts nowhere. The client itself is not modified.
 *
 * @example
 * const client = trackedClient(new messagingApi.MessagingApiClient({ channelAccessToken }), tracker);
 * await client.replyMessage({ replyToken: event.replyToken, messages: [{ type: 'text', text: 'Hi' }] });
 *
 * @throws ConfigError when `tracker` is not a session tracker or `options.channel` is empty.
 */
export function trackedClient<C extends object>(
  client: C,
  tracker: SessionTracker,
  options: TrackedClientOptions = {},
): C {
  checkTracker(tracker);
  const channel = options.channel ?? LINE_CHANNEL;
  if (typeof channel !== 'string' || channel === '') {
    throw new ConfigError('channel', `channel must be a non-empty string, got ${JSON.stringify(channel)}`);
  }
  let warned = false;
  const context: CountContext = {
    channel,
    warnUnknownToken: () => {
      if (warned) return;
      warned = true;
      process.emitWarning(
        'botsession: a LINE reply used a reply token no lineWebhook() with this tracker received, so it is not tracked',
      );
    },
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      const original = Reflect.get(target, property, receiver) as unknown;
      const count = typeof property === 'string' ? COUNTERS[property] : undefined;
      if (count === undefined || typeof original !== 'function') return original;
      return async (...args: unknown[]) => {
        // Called on the target, not the proxy: `replyMessage` calls `replyMessageWithHttpInfo`
        // on `this`, which must not count the same message a second time.
        const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await count(tracker, args[0], context);
        return result;
      };
    },
  });
}

async function countReply(tracker: SessionTracker, request: unknown, context: CountContext): Promise<void> {
  const token = (request as { replyToken?: unknown } | undefined)?.replyToken;
  const target = typeof token === 'string' ? takeReplyToken(tracker, token) : undefined;
  if (target === undefined) {
    context.warnUnknownToken();
    return;
  }
  await track(tracker, target.ref, target.inReplyTo);
}

async function countPush(tracker: SessionTracker, request: unknown, context: CountContext): Promise<void> {
  const to = (request as { to?: unknown } | undefined)?.to;
  if (typeof to === 'string' && to !== '')
    await track(tracker, refOfRecipient(to, context.channel), undefined);
}

async function countMulticast(
  tracker: SessionTracker,
  request: unknown,
  context: CountContext,
): Promise<void> {
  const to = (request as { to?: unknown } | undefined)?.to;
  if (!Array.isArray(to)) return;
  // Each recipient gets the message in their own chat with the bot.
  for (const userId of new Set(to)) {
    if (typeof userId === 'string' && userId !== '') {
      await track(tracker, refOfRecipient(userId, context.channel), undefined);
    }
  }
}

async function track(
  tracker: SessionTracker,
  ref: ConversationRef,
  inReplyTo: string | undefined,
): Promise<void> {
  // The message is already sent, so counting it must not fail the send: an outage was emitted on
  // the tracker's `error` event; anything else is a bug that must not pass silently.
  await unlessStoreDownOrReport(
    () => tracker.track(ref, { direction: 'outbound', inReplyTo }),
    logCountFailure,
  );
}

function logCountFailure(error: unknown): void {
  console.error('[botsession/line] counting a sent message failed:', error);
}
