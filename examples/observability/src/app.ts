import type { SessionTracker } from '@botsession/core';
import { dashboard } from '@botsession/dashboard';
import { prometheus } from '@botsession/metrics';
import { webChannel } from '@botsession/web';
import express from 'express';
import { Registry } from 'prom-client';
import { helpDeskBot } from './bot.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Help desk</title></head>
<body style="font-family:system-ui,sans-serif;margin:40px">
<h1>Help desk</h1><p>Ask in the chat. Operators: <a href="/dashboard/">dashboard</a>, <a href="/metrics">metrics</a>.</p>
<script src="/botsession/widget.js" data-title="Help desk" defer></script>
</body></html>`;

export interface ObservabilityOptions {
  tracker: SessionTracker;
  /** Signs the web chat's conversation tokens (32+ characters, the same on every process). */
  chatSecret: string;
  /** The dashboard's token (16+ characters): the browser asks for it (HTTP Basic password). */
  dashboardToken: string;
}

/** The bot's site: the chat, `/metrics` for Prometheus, `/dashboard/` for people. */
export function createApp({ tracker, chatSecret, dashboardToken }: ObservabilityOptions): express.Express {
  const registry = new Registry();
  prometheus({ tracker, registry });
  const app = express();
  app.use(
    webChannel({ tracker, secret: chatSecret, basePath: '/botsession', onMessage: helpDeskBot(tracker) }),
  );
  app.use('/dashboard', dashboard({ tracker, token: dashboardToken, title: 'Help desk sessions' }));
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  return app;
}
