import { createServer } from 'node:http';
import { createTwitterBot } from './bot.js';

// TWITTER_CONSUMER_SECRET: the app's API secret key (signs CRC answers and deliveries).
// TWITTER_ACCESS_TOKEN: optional OAuth 2.0 user token of the bot account, to send replies.
const consumerSecret = process.env.TWITTER_CONSUMER_SECRET;
if (consumerSecret === undefined || consumerSecret === '') {
  console.error('Set TWITTER_CONSUMER_SECRET (the X app API secret key) to run this example.');
  process.exit(1);
}
const { handler, tracker } = createTwitterBot({
  consumerSecret,
  accessToken: process.env.TWITTER_ACCESS_TOKEN,
});
const port = Number(process.env.PORT ?? 3000);
const server = createServer(handler).listen(port, () =>
  console.log(`X webhook listening on http://localhost:${port}/ (register its public HTTPS URL with X)`),
);

process.on('SIGINT', () => {
  server.close();
  void tracker.close();
});
