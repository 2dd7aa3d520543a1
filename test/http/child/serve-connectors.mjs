// Every botsession HTTP connector, each on its own port of 127.0.0.1, in one process, with
// bots that misbehave on purpose: a message containing "throw" makes onMessage throw, one
// containing "reject" makes it reject, "junk" makes it return something that is not a reply.
// No onError anywhere and no `next`: failures go to the log (stderr), the default policy a
// new user gets. No uncaughtException / unhandledRejection handler either: either one ends
// the process, which is what the fuzz test watches for.
//   env    SECRETS: JSON { web, apiKey, metaAppSecret, metaVerifyToken, twitterConsumerSecret, twilioAuthToken }
//   stdout {"ports":{"web":…,"help":…,"messaging-api":…,"meta":…,"twitter":…,"twilio":…}}
// Plain JS on the built packages: a child needs no TypeScript loader.
import { createServer } from 'node:http';
import { createSessionTracker } from '@botsession/core';
import { helpCenter } from '@botsession/help';
import { messagingApi } from '@botsession/messaging-api';
import { metaWebhook } from '@botsession/meta';
import { botSession } from '@botsession/twilio';
import { twitterWebhook } from '@botsession/twitter';
import { webChannel } from '@botsession/web';

const SECRETS = JSON.parse(process.env.SECRETS);

const tracker = createSessionTracker();
tracker.on('error', () => {});

/** The misbehaving bot: its answer depends on the text it gets. */
function bot(text) {
  const said = String(text ?? '');
  if (said.includes('throw')) throw new Error('the bot threw');
  if (said.includes('reject')) return Promise.reject(new Error('the bot rejected'));
  if (said.includes('junk')) return 42;
  return `echo: ${said.slice(0, 20)}`;
}

const http = { bodyLimitBytes: 8 * 1024, readTimeoutMs: 500 };
const handlers = {
  web: webChannel({
    tracker,
    secret: SECRETS.web,
    onMessage: (text) => bot(text),
    ...http,
    newSessionLimit: false,
  }),
  help: helpCenter({
    tracker,
    onEvent: (event) => (event.type === 'open' ? bot(event.article) : undefined),
    ...http,
    newSessionLimit: false,
  }),
  'messaging-api': messagingApi({
    tracker,
    apiKeys: [SECRETS.apiKey],
    onMessage: (m) => bot(m.text),
    ...http,
  }),
  meta: metaWebhook({
    tracker,
    appSecret: SECRETS.metaAppSecret,
    verifyToken: SECRETS.metaVerifyToken,
    onMessage: (event) => bot(event.messaging?.message?.text ?? event.message?.text?.body),
    ...http,
  }),
  twitter: twitterWebhook({
    tracker,
    consumerSecret: SECRETS.twitterConsumerSecret,
    onMessage: (message) => bot(message.text),
    ...http,
  }),
  twilio: (() => {
    const middleware = botSession({ tracker, authToken: SECRETS.twilioAuthToken, ...http });
    return (req, res) =>
      middleware(req, res, async () => {
        const text = req.twilioMessage?.Body;
        const reply = await bot(text);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${String(reply).replace(/[<&]/g, '')}</Message></Response>`,
        );
      });
  })(),
};

const ports = {};
await Promise.all(
  Object.entries(handlers).map(
    ([name, handler]) =>
      new Promise((resolve) => {
        // The handler is the request listener itself: its promise is dropped, as node:http does.
        const server = createServer(handler);
        server.listen(0, '127.0.0.1', () => {
          ports[name] = server.address().port;
          resolve();
        });
      }),
  ),
);
process.stdout.write(`${JSON.stringify({ ports })}\n`);
