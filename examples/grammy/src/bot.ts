/**
 * The example bot, apart from how it is started so tests can drive it with `handleUpdate`.
 * Every handler reads the session from `ctx.botSession`; explicit ends go through `refOf(ctx)`.
 */
import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { type BotSessionFlavor, botSession, refOf, trackOutgoing } from '@botsession/grammy';
import { Bot, type Context, InlineKeyboard } from 'grammy';

export type ExampleContext = Context & BotSessionFlavor;

export interface ExampleBotOptions {
  /** Bot API root; tests point it at a local fake. Default: https://api.telegram.org */
  apiRoot?: string;
}

export function createBot(
  token: string,
  tracker: SessionTracker,
  options: ExampleBotOptions = {},
): Bot<ExampleContext> {
  const bot = new Bot<ExampleContext>(token, {
    ...(options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {}),
  });
  bot.use(botSession(tracker));
  // Messages sent with bot.api outside any update (see `remind` below) are counted too.
  bot.api.config.use(trackOutgoing(tracker));

  bot.command('start', (ctx) =>
    ctx.reply(`Hi! This is session ${describe(ctx)}. Try /agent, /survey or /crash.`),
  );

  bot.command('agent', async (ctx) => {
    await unlessStoreDown(tracker.handoff(refOf(ctx)));
    await ctx.reply('A person will answer you here. (That ended your session with the bot.)');
  });

  bot.command('survey', async (ctx) => {
    const keyboard = new InlineKeyboard();
    for (const n of [1, 2, 3, 4, 5]) keyboard.text(`${n}`, `rate:${n}`);
    await ctx.reply('How did we do?', { reply_markup: keyboard });
    await unlessStoreDown(tracker.surveySent(refOf(ctx)));
  });

  bot.callbackQuery(/^rate:(\d)$/, async (ctx) => {
    const stars = Number(ctx.match[1]);
    await ctx.answerCallbackQuery(`Thanks for the ${stars}!`);
    await unlessStoreDown(tracker.surveyAnswered(refOf(ctx), { score: stars * 20 }));
  });

  bot.command('crash', () => {
    // A failing integration: the session ends `interrupted`, the next message starts a new one.
    throw new Error('the order service did not answer');
  });

  bot.on('message', (ctx) => ctx.reply(`Got it. Session ${describe(ctx)}.`));

  return bot;
}

/** A proactive message, as a scheduler would send it: it opens a session when none is open. */
export function remind(bot: Bot<ExampleContext>, chatId: number): Promise<unknown> {
  return bot.api.sendMessage(chatId, 'Your order has shipped. Anything else?');
}

function describe(ctx: ExampleContext): string {
  const stamp = ctx.botSession;
  if (stamp === undefined) return 'unknown (the session store is down)';
  const { session } = stamp;
  return `${stamp.sessionId.slice(0, 8)}…${stamp.isNew ? ' (new)' : ''}, message ${session.interactions}`;
}
