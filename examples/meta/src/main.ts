/**
 * Runs the example bot: `npm start` in examples/meta, then point the Meta app's webhook
 * (Messenger, Instagram and/or WhatsApp) to http(s)://<host>:<PORT>/webhooks/meta.
 */
import { createServer } from 'node:http';
import { createMetaBot } from './bot.js';

const env = process.env;
const missing = ['META_APP_SECRET', 'META_VERIFY_TOKEN'].filter((name) => !env[name]);
if (missing.length > 0) {
  console.error(`Set ${missing.join(' and ')} (see examples/meta/README.md).`);
  process.exit(1);
}

const bot = createMetaBot({
  appSecret: env.META_APP_SECRET!,
  verifyToken: env.META_VERIFY_TOKEN!,
  graphUrl: env.GRAPH_API_URL ?? 'https://graph.facebook.com/v21.0',
  ...(env.META_APP_ID ? { appId: env.META_APP_ID } : {}),
  ...(env.META_PAGE_ACCESS_TOKEN ? { pageAccessToken: env.META_PAGE_ACCESS_TOKEN } : {}),
  ...(env.WHATSAPP_ACCESS_TOKEN ? { whatsAppAccessToken: env.WHATSAPP_ACCESS_TOKEN } : {}),
});

const server = createServer((req, res) => {
  if (req.url?.startsWith('/webhooks/meta')) return bot.handler(req, res);
  res.writeHead(404).end();
});
const port = Number(env.PORT ?? 3000);
server.listen(port, () => console.log(`Meta webhook on http://localhost:${port}/webhooks/meta`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void bot.tracker.close();
  });
}
