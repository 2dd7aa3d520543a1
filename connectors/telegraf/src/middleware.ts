/**
 * The Telegraf middleware: counts the update, stamps `ctx.botSession`, counts what the bot
 * sends while handling it, and ends the session `interrupted` when the handler throws.
 */
import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { activeSessionStamp, endInterrupted, telegramDeliveryId } from '@botsession/webhook';
import type { Context, MiddlewareFn } from 'telegraf';
import type { BotSessionFlavor } from './context.js';
import { CHANNEL_KEY, findRef, isInteraction } from './map.js';
import { checkChannel, checkTracker } from './options.js';
import { interceptSends } from './outgoing.js';

export interface BotSessionOptions {
  /**
   * Channel id the sessions are tracked under; it picks the channel's policy.
   * Default: `telegram` (24 h of inactivity). Set another to give one bot rules of its own.
   */
  channel?: string;
}

/**
 * Telegraf middleware that tells which session every message belongs to.
 *
 * @example
 * const tracker = createSessionTracker();
 * const bot = new Telegraf<BotSessionContext>(process.env.BOT_TOKEN!);
 * bot.use(botSession(tracker));
 * bot.on('message', (ctx) => ctx.reply(`You are in session ${ctx.botSession?.sessionId}`));
 *
 * @throws ConfigError when `tracker` is not a tracker or `options.channel` is not a non-empty string.
 */
export function botSession<C extends Context & BotSessionFlavor = Context & BotSessionFlavor>(
  tracker: SessionTracker,
  options: BotSessionOptions = {},
): MiddlewareFn<C> {
  checkTracker(tracker, 'botSession');
  const channel = checkChannel(options.channel, 'botSession');

  return async (ctx, next) => {
    const marked = ctx as unknown as Record<symbol, unknown>;
    // Installed twice (a bot and a composer both use it): the update is counted once.
    if (marked[CHANNEL_KEY] !== undefined) return next();
    marked[CHANNEL_KEY] = channel;
    const ref = findRef(ctx, channel);
    const deliveryId = telegramDeliveryId(ctx.update);
    if (ref !== undefined) {
      ctx.botSession = isInteraction(ctx.update)
        ? await unlessStoreDown(tracker.track(ref, { direction: 'inbound', deliveryId }))
        : await activeSessionStamp(tracker, ref);
    }
    // ctx.telegram is a fresh Telegram instance per update, so this wrap never leaks into another update.
    interceptSends(ctx.telegram, tracker, {
      channel,
      ref,
      // A bot message opens a session in a chat that had none: that is this update's session now.
      onStamp: (stamp) => {
        ctx.botSession ??= stamp;
      },
      // Replies answer the update's session: after a handoff in the handler they count nowhere.
      answering: () => ctx.botSession?.sessionId,
    });
    try {
      await next();
    } catch (error) {
      // The pipeline failed: the channel's policy decides whether that ends the session, keyed by
      // the update, so a redelivered update failing again cannot end a session opened since. The
      // handler's error is the one `bot.catch` must see, so a failure here is only logged.
      if (ref !== undefined) await endInterrupted(tracker, ref, logFailure, deliveryId);
      throw error;
    }
  };
}

function logFailure(error: unknown): void {
  console.error('[botsession/telegraf] ending the session interrupted failed:', error);
}
