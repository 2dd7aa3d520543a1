/**
 * Telegram update → conversation. Which updates are a user's interaction, and which chat
 * they belong to. No rule lives here: only what Telegram's payloads mean.
 * Update shapes: https://core.telegram.org/bots/api#update
 */
import type { ConversationRef } from '@botsession/core';
import { TELEGRAM_CHANNEL } from '@botsession/webhook';
import type { Context } from 'grammy';

// What Telegram's updates mean is shared with the other Telegram connector.
export { isTelegramInteraction as isInteraction, TELEGRAM_CHANNEL } from '@botsession/webhook';

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
