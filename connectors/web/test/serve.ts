/** A real HTTP server on 127.0.0.1:0 with the web channel mounted and a host page for the widget. */
import type { Session, SessionTracker } from '@botsession/core';
import { type WebChannelOptions, webChannel } from '@botsession/web';
import { type LocalServer, listenLocal } from '../../../test/support/local-server.js';

export const SECRET = 'test-secret-test-secret-test-secret!';

export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>body{font-family:system-ui,sans-serif;margin:40px;background:#fafafa}</style></head>
<body><h1>Acme shoes</h1><p>Questions? Ask in the chat.</p>
<script src="/botsession/widget.js" defer></script></body></html>`;

export interface Served extends LocalServer {
  ends: Session[];
  starts: Session[];
}

export async function serve(
  tracker: SessionTracker,
  options: Partial<WebChannelOptions> = {},
): Promise<Served> {
  const ends: Session[] = [];
  const starts: Session[] = [];
  tracker.on('sessionEnd', (session) => {
    ends.push(session);
  });
  tracker.on('sessionStart', (session) => {
    starts.push(session);
  });
  const chat = webChannel({
    tracker,
    secret: SECRET,
    basePath: '/botsession',
    onMessage: (text) => `echo: ${text}`,
    ...options,
  });
  // The host page at /, everything else straight to the channel (standalone, without `next`).
  const local = await listenLocal((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    else chat(req, res);
  });
  return { ...local, ends, starts };
}

/** Polls until `check` returns a value (real timers: the tracker's own deadline fires). */
export async function until<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
