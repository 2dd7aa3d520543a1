/**
 * The example bot, apart from how it is launched so tests can drive it with `handleUpdate`.
 * Every handler reads the session from `ctx.botSession`; explicit ends go through `refOf(ctx)`.
 */
import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { type BotSessionContext, botSession, refOf } from '@botsession/telegraf';
import { Markup, Telegraf } from 'telegraf';

export interface ExampleBotOptions {
  /** Bot API root; tests point it at a local fake. Default: https://api.telegram.org */
  apiRoot?: string;
}

export function createBot(
  token: string,
  tracker: SessionTracker,
  options: ExampleBotOptions = {},
): Telegraf<BotSessionContext> {
  const bot = new Telegraf<BotSessionContext>(token, {
    ...(options.apiRoot ? { telegram: { apiRoot: options.apiRoot } } : {}),
  });
  bot.use(botSession(tracker));

  bot.start((ctx) => ctx.reply(`Hi! This is session ${describe(ctx)}. Try /agent, /survey or /crash.`));

  bot.command('agent', async (ctx) => {
    await unlessStoreDown(tracker.handoff(refOf(ctx)));
    await ctx.reply('A person will answer you here. (That ended your session with the bot.)');
  });

  bot.command('survey', async (ctx) => {
    await ctx.reply(
      'How did we do?',
      Markup.inlineKeyboard([1, 2, 3, 4, 5].map((n) => Markup.button.callback(`${n}`, `rate:${n}`))),
    );
    await unlessStoreDown(tracker.surveySent(refOf(ctx)));
  });

  bot.action(/^rate:(\d)$/, async (ctx) => {
    await ctx.answerCbQuery(`Thanks for the ${ctx.match[1]}!`);
    await unlessStoreDown(tracker.surveyAnswered(refOf(ctx)));
  });

  bot.command('crash', () => {
    // A failing integration: the session ends `interrupted`, the next message starts a new one.
    throw new Error('the order service did not answer');
  });

  bot.on('message', (ctx) => ctx.reply(`Got it. Session ${describe(ctx)}.`));

  return bot;
}

function describe(ctx: BotSessionContext): string {
  const stamp = ctx.botSession;
  if (stamp === undefined) return 'unknown (the session store is down)';
  const { session } = stamp;
  return `${stamp.sessionId.slice(0, 8)}…${stamp.isNew ? ' (new)' : ''}, message ${session.interactions}`;
}
