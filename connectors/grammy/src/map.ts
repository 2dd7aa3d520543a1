/**
 * Telegram update → conversation. Which updates are a user's interaction, and which chat
 * they belong to. No rule lives here: only what Telegram's payloads mean.
 * Update shapes: https://core.telegram.org/bots/api#update
 */
import type { ConversationRef } from '@botsession/core';
import type { Context } from 'grammy';
import type { Message, Update } from 'grammy/types';

/** The channel id of Telegram in botsession's policies. */
export const TELEGRAM_CHANNEL = 'telegram';

/**
 * Service messages arrive as `message` updates but record something that happened to the chat
 * (someone joined, a title changed, a pin), not something the user said to the bot.
 * https://core.telegram.org/bots/api#message (the fields after `reply_markup`)
 */
const SERVICE_FIELDS: readonly string[] = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'write_access_allowed',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
];

/**
 * True when the update is a user's message to the bot: a `message` with content (text, photo,
 * document, voice, sticker, location, …) or a `callback_query` (an inline button press under a
 * message in a chat). Edits, channel posts, chat member changes, reactions, inline queries and
 * polls are not.
 */
export function isInteraction(update: Update): boolean {
  if (update.message !== undefined) return !isServiceMessage(update.message);
  if (update.callback_query !== undefined) return update.callback_query.message !== undefined;
  return false;
}

function isServiceMessage(message: Message): boolean {
  for (const field of SERVICE_FIELDS) if (field in message) return true;
  return false;
}

/**
 * The conversation of an update, or `undefined` when it has no chat (inline queries, polls,
 * payments, buttons under inline-mode messages).
 */
export function findRef(ctx: Context, channel: string = TELEGRAM_CHANNEL): ConversationRef | undefined {
  // ctx.chat already knows where each update type keeps its chat (message, callback_query.message, …).
  const chat = ctx.chat;
  if (chat === undefined) return undefined;
  const ref: ConversationRef = { channel, conversationId: String(chat.id) };
  if (ctx.from !== undefined) ref.userId = String(ctx.from.id);
  return ref;
}

/**
 * The conversation of a grammY context: channel `telegram` (or the middleware's `channel`),
 * conversation = chat id, user = sender id. Use it to call the tracker from a handler.
 *
 * @example
 * bot.command('agent', async (ctx) => {
 *   await tracker.handoff(refOf(ctx));
 *   await ctx.reply('A person will answer you here.');
 * });
 *
 * @throws TypeError when the update has no chat (an inline query, a poll answer, …).
 */
export function refOf(ctx: Context): ConversationRef {
  const ref = findRef(ctx, channelOf(ctx));
  if (ref === undefined) {
    const kind = Object.keys(ctx.update).find((key) => key !== 'update_id') ?? 'unknown';
    throw new TypeError(
      `refOf(ctx): update ${ctx.update.update_id} (${kind}) has no chat, so it belongs to no conversation`,
    );
  }
  return ref;
}

/** The middleware records its channel on the context so `refOf` agrees with it. */
export const CHANNEL_KEY: unique symbol = Symbol.for('botsession.grammy.channel');

function channelOf(ctx: Context): string {
  const channel = (ctx as unknown as Record<symbol, unknown>)[CHANNEL_KEY];
  return typeof channel === 'string' ? channel : TELEGRAM_CHANNEL;
}
