/**
 * Runs the example bot: a webhook on PORT (default 3000) at any path, for the webhook URL you
 * set in the LINE Developers Console. Needs the channel's secret and access token.
 */
import { createServer } from 'node:http';
import { createLineBot } from './bot.js';

const channelSecret = process.env.LINE_CHANNEL_SECRET;
const channelAccessToken = process.env.LINE_CHANNEL_ACCESS_TOKEN;
if (!channelSecret || !channelAccessToken) {
  console.error('Set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (see README.md).');
  process.exit(1);
}

const bot = createLineBot({
  channelSecret,
  channelAccessToken,
  // A short timeout to watch sessions end while trying the bot; LINE's default is 24 h.
  inactivityTimeoutMs: Number(process.env.INACTIVITY_MS ?? 2 * 60_000),
});
const server = createServer(bot.handler).listen(Number(process.env.PORT ?? 3000), () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : process.env.PORT;
  console.log(`LINE webhook listening on port ${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    server.close();
    await bot.tracker.close();
  });
}
