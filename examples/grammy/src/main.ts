/**
 * Runs the example bot. Needs a bot token from @BotFather in BOT_TOKEN. With PORT set it serves
 * a webhook (guarded by WEBHOOK_SECRET) for you to register with setWebhook; otherwise it
 * long-polls.
 */
import { createServer } from 'node:http';
import { createSessionTracker } from '@botsession/core';
import { webhookCallback } from 'grammy';
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
bot.catch((error) => console.error(`update ${error.ctx.update.update_id} failed:`, error.error));

const port = process.env.PORT;
if (port) {
  const secretToken = process.env.WEBHOOK_SECRET;
  const handle = webhookCallback(bot, 'http', secretToken ? { secretToken } : {});
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(Number(port), () => console.log(`webhook on :${port}; register it with setWebhook`));
  stopOn(() => server.close());
} else {
  void bot.start({ onStart: () => console.log('polling; talk to your bot on Telegram') });
  stopOn(() => bot.stop());
}

function stopOn(stop: () => unknown): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      await stop();
      await tracker.close();
    });
  }
}
