/**
 * Runs the Twilio example bot. Environment:
 *   TWILIO_AUTH_TOKEN   required: verifies X-Twilio-Signature
 *   PUBLIC_URL          the webhook URL set on the number, e.g. https://abc.ngrok.app/twilio/messages
 *   TWILIO_ACCOUNT_SID  optional: enables the REST follow-up ("remind me")
 *   PORT                default 3000
 */
import { createSessionTracker } from '@botsession/core';
import twilio from 'twilio';
import { createBot } from './bot.js';

const authToken = process.env.TWILIO_AUTH_TOKEN;
if (!authToken) {
  console.error('Set TWILIO_AUTH_TOKEN (and PUBLIC_URL): see examples/twilio/README.md');
  process.exit(1);
}
const accountSid = process.env.TWILIO_ACCOUNT_SID;
const port = Number(process.env.PORT ?? 3000);

const tracker = createSessionTracker();
tracker.on('sessionStart', (session) =>
  console.log(`start ${session.id} ${session.channel} ${session.conversationId}`),
);
tracker.on('sessionEnd', (session) =>
  console.log(`end   ${session.id} ${session.endReason} after ${session.interactions} interactions`),
);
tracker.on('error', (error) => console.error('botsession:', error.message));

const app = createBot(tracker, {
  authToken,
  publicUrl: process.env.PUBLIC_URL,
  client: accountSid ? twilio(accountSid, authToken) : undefined,
});
const server = app.listen(port, () =>
  console.log(`Twilio webhook on http://localhost:${port}/twilio/messages`),
);

process.on('SIGINT', () => {
  server.close();
  void tracker.close();
});
