import type { SessionStamp } from '@botsession/core';
import type { Context } from 'telegraf';
import type { Update } from 'telegraf/types';

/**
 * What `botSession()` adds to a context, to mix into a context type of your own
 * (`type MyContext = Context & BotSessionFlavor & …`), like grammY's session flavors.
 */
export interface BotSessionFlavor {
  /**
   * The session of this update's conversation. For a user's message or button press: the stamp
   * `track()` returned for it. For other updates of a chat (an edit, a member change): the
   * active session, with `isNew: false`, or `undefined` when none is active until the bot sends
   * there. `undefined` too when the session store is down or the update has no chat.
   */
  botSession?: SessionStamp;
}

/**
 * Telegraf's `Context` with `ctx.botSession` typed.
 *
 * @example
 * const bot = new Telegraf<BotSessionContext>(token);
 * bot.use(botSession(tracker));
 * bot.on('text', (ctx) => ctx.reply(`session ${ctx.botSession?.sessionId}`));
 */
export interface BotSessionContext<U extends Update = Update> extends Context<U>, BotSessionFlavor {}
