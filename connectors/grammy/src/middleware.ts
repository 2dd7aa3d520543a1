/**
 * The grammY middleware: counts the update, stamps `ctx.botSession`, counts what the bot sends
 * while handling it, and ends the session `interrupted` when the handler throws.
 */
import {
  type ConversationRef,
  type SessionStamp,
  type SessionTracker,
  unlessStoreDown,
} from '@botsession/core';
import type { Context, MiddlewareFn } from 'grammy';
import type { BotSessionFlavor } from './context.js';
import { CHANNEL_KEY, findRef, isInteraction } from './map.js';
import { checkChannel, checkTracker } from './options.js';
import { sendCounter } from './outgoing.js';

export interface BotSessionOptions {
  /**
   * Channel id the sessions are tracked under; it picks the channel's policy.
   * Default: `telegram` (24 h of inactivity). Set another to give one bot rules of its own.
   */
  channel?: string;
}

/**
 * grammY middleware that tells which session every message belongs to.
 *
 * @example
 * const tracker = createSessionTracker();
 * const bot = new Bot<Context & BotSessionFlavor>(process.env.BOT_TOKEN!);
 * bot.use(botSession(tracker));
 * bot.on('message', (ctx) => ctx.reply(`You are in session ${ctx.botSession?.sessionId}`));
 *
 * @throws ConfigError when `tracker` is not a tracker or `options.channel` is not a non-empty string.
 */
export function botSession<C extends Context & BotSessionFlavor = Context & BotSessionFlavor>(
  tracker: SessionTracker,
  options?: BotSessionOptions,
): MiddlewareFn<C> {
  checkTracker(tracker, 'botSession');
  const channel = checkChannel(options, 'botSession');

  return async (ctx, next) => {
    const marked = ctx as unknown as Record<symbol, unknown>;
    // Installed twice (a bot and a composer both use it): the update is counted once.
    if (marked[CHANNEL_KEY] !== undefined) return next();
    marked[CHANNEL_KEY] = channel;
    const ref = findRef(ctx, channel);
    const deliveryId = deliveryIdOf(ctx.update);
    if (ref !== undefined) {
      ctx.botSession = isInteraction(ctx.update)
        ? await unlessStoreDown(tracker.track(ref, { direction: 'inbound', deliveryId }))
        : await activeSession(tracker, ref);
    }
    // ctx.api is a fresh Api per update, so this transformer never sees another update's sends.
    ctx.api.config.use(
      sendCounter(tracker, {
        channel,
        ref,
        // A bot message opens a session in a chat that had none: that is this update's session now.
        onStamp: (stamp) => {
          ctx.botSession ??= stamp;
        },
        // Replies answer the update's session: after a handoff in the handler they count nowhere.
        answering: () => ctx.botSession?.sessionId,
      }),
    );
    try {
      await next();
    } catch (error) {
      if (ref !== undefined) await endInterrupted(tracker, ref, deliveryId);
      throw error;
    }
  };
}

/**
 * Telegram's `update_id`: a webhook update that got no 2xx is sent again with the same id (and
 * polling returns it again until it is confirmed), so core counts it once.
 * https://core.telegram.org/bots/api#getting-updates
 */
function deliveryIdOf(update: { update_id?: unknown }): string | undefined {
  return typeof update.update_id === 'number' ? String(update.update_id) : undefined;
}

/** Updates that are no interaction still see the session they happen in, without counting. */
async function activeSession(
  tracker: SessionTracker,
  ref: ConversationRef,
): Promise<SessionStamp | undefined> {
  const session = await unlessStoreDown(tracker.get(ref));
  return session === undefined
    ? undefined
    : { sessionId: session.id, isNew: false, redelivered: false, session };
}

/**
 * The pipeline failed: the channel's policy decides whether that ends the session. Keyed by the
 * update, so a redelivered update failing again cannot end a session a later message opened.
 * The handler's error is the one `bot.catch` must see, so a failure here is only logged.
 */
async function endInterrupted(
  tracker: SessionTracker,
  ref: ConversationRef,
  deliveryId: string | undefined,
): Promise<void> {
  const options = deliveryId === undefined ? {} : { deliveryId };
  try {
    await unlessStoreDown(tracker.end(ref, 'interrupted', options));
  } catch (error) {
    console.error('[botsession/grammy] ending the session interrupted failed:', error);
  }
}
