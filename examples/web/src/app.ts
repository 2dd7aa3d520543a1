import type { SessionTracker } from '@botsession/core';
import { webChannel } from '@botsession/web';
import express from 'express';
import { shopBot } from './bot.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shoes</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;margin:40px">
<h1>Acme shoes</h1><p>Questions? Open the chat at the bottom right.</p>
<script src="/botsession/widget.js" data-title="Acme help" defer></script>
</body></html>`;

/** The example site: a page with the widget, and the web chat mounted under /botsession. */
export function createApp(tracker: SessionTracker, secret: string): express.Express {
  const app = express();
  app.use(webChannel({ tracker, secret, basePath: '/botsession', onMessage: shopBot(tracker) }));
  app.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  return app;
}
