/**
 * Counts the bot's outgoing messages by wrapping `callApi` of one `Telegram` instance: every
 * helper (`ctx.reply`, `sendPhoto`, `copyMessage`, …) ends in `callApi`, so one wrap sees them all.
 */
import type { ConversationRef, SessionStamp, SessionTracker } from '@botsession/core';
import { unlessStoreDownOrReport } from '@botsession/webhook';
import type { Telegram } from 'telegraf';
import { checkChannel, checkTracker } from './options.js';

/**
 * Bot API methods that put a new message in a chat: every `send*` (sendMessage, sendPhoto,
 * sendMediaGroup, sendPoll, …) except `sendChatAction` ("typing…" is not a message), plus
 * forwards and copies. Edits, deletions and `answerCallbackQuery` toasts add no message.
 */
export function sendsMessage(method: string): boolean {
  if (method === 'sendChatAction') return false;
  if (method.startsWith('send')) return true;
  return (
    method === 'forwardMessage' ||
    method === 'forwardMessages' ||
    method === 'copyMessage' ||
    method === 'copyMessages'
  );
}

export interface InterceptOptions {
  channel: string;
  /** The update's own conversation: a message sent there carries its user id. */
  ref?: ConversationRef | undefined;
  /** Called with the stamp of each counted message sent to `ref`'s chat. */
  onStamp?: ((stamp: SessionStamp) => void) | undefined;
  /**
   * The session a message to `ref`'s chat answers (the update's stamp), read at send time.
   * Core does not count a reply to a session that has ended (the handler handed off) and
   * opens none for it. Undefined: a plain outbound message, which opens a session if none is.
   */
  answering?: (() => string | undefined) | undefined;
}

/** Marks a wrapped instance so that installing the middleware twice never counts a message twice. */
const WRAPPED: unique symbol = Symbol.for('botsession.telegraf.wrapped');

type CallApi = Telegram['callApi'];

/** Wraps `telegram.callApi` of this instance only; other instances (other updates) are untouched. */
export function interceptSends(telegram: Telegram, tracker: SessionTracker, options: InterceptOptions): void {
  const marked = telegram as Telegram & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return;
  marked[WRAPPED] = true;
  const callApi: CallApi = telegram.callApi.bind(telegram);
  const wrapped = async (...args: Parameters<CallApi>) => {
    const result = await callApi(...args);
    // Counted after Telegram accepted it: a send that failed is no interaction.
    const [method, payload] = args;
    if (sendsMessage(method)) await countSend(tracker, options, payload);
    return result;
  };
  telegram.callApi = wrapped as CallApi;
}

async function countSend(
  tracker: SessionTracker,
  options: InterceptOptions,
  payload: unknown,
): Promise<void> {
  const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
  if (typeof chatId !== 'number' && typeof chatId !== 'string') return;
  const conversationId = String(chatId);
  const own = options.ref !== undefined && options.ref.conversationId === conversationId;
  const ref: ConversationRef = own ? options.ref! : { channel: options.channel, conversationId };
  // Only a message to the update's own chat answers the update; another chat's is proactive.
  const inReplyTo = own ? options.answering?.() : undefined;
  // The message is already sent, so counting it must not fail the send: an outage was emitted on
  // the tracker's `error` event; anything else is a bug that must not pass silently.
  const stamp = await unlessStoreDownOrReport(
    () => tracker.track(ref, { direction: 'outbound', inReplyTo }),
    logCountFailure,
  );
  if (own && stamp !== undefined) options.onStamp?.(stamp);
}

function logCountFailure(error: unknown): void {
  console.error('[botsession/telegraf] counting a sent message failed:', error);
}

export interface TrackOutgoingOptions {
  /** Channel id of these messages. Default: `telegram`. */
  channel?: string;
}

/**
 * Counts messages sent through a `Telegram` instance outside any update: proactive messages
 * sent with `bot.telegram`. (Inside an update, `botSession()` already counts `ctx.telegram`.)
 *
 * @example
 * trackOutgoing(bot.telegram, tracker);
 * await bot.telegram.sendMessage(chatId, 'Your order has shipped'); // opens a session if none is
 */
export function trackOutgoing(
  telegram: Telegram,
  tracker: SessionTracker,
  options: TrackOutgoingOptions = {},
): void {
  checkTracker(tracker, 'trackOutgoing');
  interceptSends(telegram, tracker, { channel: checkChannel(options.channel, 'trackOutgoing') });
}
