import { createServer } from 'node:http';
import { createTwitterBot } from './bot.js';

// X_CLIENT_SECRET: the app's OAuth 2.0 client secret (X-Twitter-Webhooks-Signature-OAuth2);
// TWITTER_CONSUMER_SECRET: its OAuth 1.0a API secret key (the legacy header). One or both.
// TWITTER_ACCESS_TOKEN: optional OAuth 2.0 user token of the bot account, to send replies.
const clientSecret = process.env.X_CLIENT_SECRET || undefined;
const consumerSecret = process.env.TWITTER_CONSUMER_SECRET || undefined;
if (clientSecret === undefined && consumerSecret === undefined) {
  console.error(
    'Set X_CLIENT_SECRET (OAuth 2.0 client secret) and/or TWITTER_CONSUMER_SECRET to run this example.',
  );
  process.exit(1);
}
const { handler, tracker } = createTwitterBot({
  ...(clientSecret === undefined ? {} : { clientSecret }),
  ...(consumerSecret === undefined ? {} : { consumerSecret }),
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
