import type { SessionStamp } from '@botsession/core';

/**
 * What `botSession()` adds to a context, as grammY's own plugins do with flavors:
 * `type MyContext = Context & BotSessionFlavor`, then `new Bot<MyContext>(token)`.
 *
 * @example
 * type MyContext = Context & BotSessionFlavor;
 * const bot = new Bot<MyContext>(token);
 * bot.use(botSession(tracker));
 * bot.on('message', (ctx) => ctx.reply(`session ${ctx.botSession?.sessionId}`));
 */
export interface BotSessionFlavor {
  /**
   * The session of this update's conversation. For a user's message or button press: the stamp
   * `track()` returned for it (`redelivered: true` when Telegram sent this `update_id` before).
   * For other updates of a chat (an edit, a member change): the active session, with
   * `isNew: false`, or `undefined` when none is active until the bot sends there. `undefined`
   * too when the session store is down or the update has no chat.
   */
  botSession?: SessionStamp;
}
