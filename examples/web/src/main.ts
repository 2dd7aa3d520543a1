import { randomBytes } from 'node:crypto';
import { createSessionTracker } from '@botsession/core';
import { createApp } from './app.js';

// BOTSESSION_WEB_SECRET signs conversation tokens; set the same value on every server process.
// Without it a random one is made, so conversations do not survive a restart.
const secret = process.env.BOTSESSION_WEB_SECRET ?? randomBytes(32).toString('base64url');
const port = Number(process.env.PORT ?? 3000);

const tracker = createSessionTracker();
tracker.on('sessionStart', (s) => console.log(`start ${s.id} conversation ${s.conversationId}`));
tracker.on('sessionEnd', (s) => console.log(`end   ${s.id} ${s.endReason} after ${s.interactions} messages`));
tracker.on('error', (error) => console.error('tracker error:', error.message));

const server = createApp(tracker, secret).listen(port, () => {
  console.log(`web chat example on http://localhost:${port}/`);
});
process.on('SIGINT', () => {
  server.close();
  void tracker.close();
});
