/**
 * Runs the example bot. Needs a bot token from @BotFather in BOT_TOKEN. With WEBHOOK_DOMAIN set
 * it serves a webhook guarded by WEBHOOK_SECRET; otherwise it long-polls.
 */
import { createSessionTracker } from '@botsession/core';
import { createBot } from './bot.js';

const token = process.env.BOT_TOKEN;
if (!token) {
  console.error('Set BOT_TOKEN to a bot token from @BotFather (see README.md).');
  process.exit(1);
}

const tracker = createSessionTracker({
  // A short timeout to watch sessions end while trying the bot; Telegram's default is 24 h.
  channels: { telegram: { inactivityTimeoutMs: Number(process.env.INACTIVITY_MS ?? 2 * 60_000) } },
});
tracker.on('sessionStart', (s) => console.log(`start ${s.id} chat ${s.conversationId}`));
tracker.on('sessionEnd', (s) =>
  console.log(`end   ${s.id} ${s.endReason} after ${s.userMessages} user / ${s.botMessages} bot messages`),
);
tracker.on('error', (error) => console.error('session store:', error.message));

const bot = createBot(token, tracker);
bot.catch((error, ctx) => console.error(`update ${ctx.update.update_id} failed:`, error));

const domain = process.env.WEBHOOK_DOMAIN;
const launched = domain
  ? bot.launch({
      webhook: {
        domain,
        port: Number(process.env.PORT ?? 8443),
        ...(process.env.WEBHOOK_SECRET ? { secretToken: process.env.WEBHOOK_SECRET } : {}),
      },
    })
  : bot.launch();
launched.catch((error) => {
  console.error(error);
  process.exit(1);
});
console.log(domain ? `webhook on ${domain}` : 'polling; talk to your bot on Telegram');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    bot.stop(signal);
    void tracker.close();
  });
}
