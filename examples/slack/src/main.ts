/**
 * Runs the example bot. Environment:
 *   SLACK_BOT_TOKEN       the app's bot token (xoxb-…)
 *   SLACK_SIGNING_SECRET  the app's signing secret (Basic Information page)
 *   PORT                  where Slack's Events API and interactivity requests arrive (default 3000)
 */
import { createSessionTracker } from '@botsession/core';
import { createBot } from './bot.js';

const token = process.env.SLACK_BOT_TOKEN;
const signingSecret = process.env.SLACK_SIGNING_SECRET;
if (!token || !signingSecret) {
  console.error('Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see examples/slack/README.md).');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);

const tracker = createSessionTracker();
tracker.on('sessionStart', (session) =>
  console.log(`session ${session.id} started in ${session.conversationId}`),
);
tracker.on('sessionEnd', (session) =>
  console.log(`session ${session.id} ended: ${session.endReason}, ${session.interactions} interactions`),
);
tracker.on('error', (error) => console.error('botsession:', error.message));

const app = createBot({ token, signingSecret, tracker });
await app.start(port);
console.log(`Slack bot listening on http://localhost:${port}/slack/events`);

async function shutdown(): Promise<void> {
  await app.stop();
  await tracker.close();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
