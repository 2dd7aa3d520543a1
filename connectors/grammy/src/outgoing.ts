/**
 * Counts the bot's outgoing messages with a grammY API transformer: every helper (`ctx.reply`,
 * `ctx.api.sendPhoto`, `copyMessage`, …) ends in one Bot API call that passes through the
 * transformers of its `Api`, so one transformer sees them all.
 * https://grammy.dev/advanced/transformers
 */
import type { ConversationRef, SessionStamp, SessionTracker } from '@botsession/core';
import { unlessStoreDownOrReport } from '@botsession/webhook';
import type { Transformer } from 'grammy';
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

export interface SendContext {
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

/**
 * Payloads an update's own transformer is counting. `bot.api`'s transformers are copied into
 * every update's `ctx.api` (grammY's `handleUpdate`), and the update's transformer is installed
 * after them, so it runs first: it claims the call, and a `trackOutgoing()` transformer further
 * in sees the claim and leaves it, so a reply is never counted twice.
 */
const claimed = new WeakSet<object>();

/** A transformer counting every message the call sends, after Telegram accepted it. */
export function sendCounter(tracker: SessionTracker, context: SendContext): Transformer {
  return async (prev, method, payload, signal) => {
    const counts = sendsMessage(method) && typeof payload === 'object' && payload !== null;
    if (!counts || claimed.has(payload)) return prev(method, payload, signal);
    claimed.add(payload);
    const response = await prev(method, payload, signal);
    // A send Telegram refused (`ok: false`) is no interaction. A webhook reply answers `ok: true`:
    // the message rides on the webhook's HTTP response, and it is sent all the same.
    if (response.ok) await countSend(tracker, context, payload as { chat_id?: unknown });
    return response;
  };
}

async function countSend(
  tracker: SessionTracker,
  context: SendContext,
  payload: { chat_id?: unknown },
): Promise<void> {
  const chatId = payload.chat_id;
  if (typeof chatId !== 'number' && typeof chatId !== 'string') return;
  const conversationId = String(chatId);
  const own = context.ref !== undefined && context.ref.conversationId === conversationId;
  const ref: ConversationRef = own ? context.ref! : { channel: context.channel, conversationId };
  // Only a message to the update's own chat answers the update; another chat's is proactive.
  const inReplyTo = own ? context.answering?.() : undefined;
  // The message is already sent, so counting it must not fail the send: an outage was emitted on
  // the tracker's `error` event; anything else is a bug that must not pass silently.
  const stamp = await unlessStoreDownOrReport(
    () => tracker.track(ref, { direction: 'outbound', inReplyTo }),
    logCountFailure,
  );
  if (own && stamp !== undefined) context.onStamp?.(stamp);
}

function logCountFailure(error: unknown): void {
  console.error('[botsession/grammy] counting a sent message failed:', error);
}

export interface TrackOutgoingOptions {
  /** Channel id of these messages. Default: `telegram`. */
  channel?: string;
}

/**
 * A transformer for `bot.api` that counts proactive messages: those sent outside any update
 * (a reminder, an order update). Inside an update, `botSession()` counts `ctx.api` itself and
 * this transformer, copied there by grammY, stands aside.
 *
 * @example
 * bot.api.config.use(trackOutgoing(tracker));
 * await bot.api.sendMessage(chatId, 'Your order has shipped'); // opens a session if none is
 *
 * @throws ConfigError when `tracker` is not a tracker or `options.channel` is not a non-empty string.
 */
export function trackOutgoing(tracker: SessionTracker, options?: TrackOutgoingOptions): Transformer {
  checkTracker(tracker, 'trackOutgoing');
  return sendCounter(tracker, { channel: checkChannel(options, 'trackOutgoing') });
}
