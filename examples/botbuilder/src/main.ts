/**
 * A Bot Framework bot with botsession. Run it and talk to it with the Bot Framework Emulator
 * (http://localhost:3978/api/messages), or deploy it as an Azure Bot with the env below.
 *
 *   MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId  (Azure Bot; omit locally)
 *   PORT  (default 3978; 0 picks a free port)
 */
import { BotSessionMiddleware } from '@botsession/botbuilder';
import { createSessionTracker } from '@botsession/core';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import express from 'express';
import { SupportBot } from './bot.js';

const tracker = createSessionTracker();
tracker.on('sessionStart', (s) =>
  console.log(`session ${s.id} started on ${s.channel} (${s.conversationId})`),
);
tracker.on('sessionEnd', (s) =>
  console.log(`session ${s.id} ended: ${s.endReason} after ${s.interactions} interactions`),
);
tracker.on('error', (error) => console.error('botsession:', error.message));

// Without MicrosoftAppId, Bot Framework authentication is off: fine for the Emulator, never for production.
const auth = new ConfigurationBotFrameworkAuthentication({
  MicrosoftAppId: process.env.MicrosoftAppId,
  MicrosoftAppPassword: process.env.MicrosoftAppPassword,
  MicrosoftAppType: process.env.MicrosoftAppType,
  MicrosoftAppTenantId: process.env.MicrosoftAppTenantId,
});
const adapter = new CloudAdapter(auth);
// The Emulator is a local web chat: give it the web channel's rules.
adapter.use(new BotSessionMiddleware(tracker, { channels: { emulator: 'web' } }));
adapter.onTurnError = async (context, error) => {
  console.error(`turn failed: ${error.message}`);
  await context.sendActivity('Sorry, something went wrong. Say anything to start again.');
};

const bot = new SupportBot(tracker);
const app = express();
app.use(express.json());
app.post('/api/messages', (req, res) => adapter.process(req, res, (context) => bot.run(context)));

const server = app.listen(Number(process.env.PORT ?? 3978), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : process.env.PORT;
  console.log(`listening on http://127.0.0.1:${port}/api/messages`);
});

async function shutdown(): Promise<void> {
  server.close();
  await tracker.close();
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
