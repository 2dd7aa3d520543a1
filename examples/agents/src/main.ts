/**
 * A Microsoft 365 Agents SDK agent with botsession. Run it and talk to it with the Microsoft 365
 * Agents Playground or the Bot Framework Emulator (http://localhost:3978/api/messages), or deploy
 * it as an Azure Bot with Teams enabled, with the SDK's usual environment:
 *
 *   clientId, clientSecret, tenantId  (the Azure Bot's app registration; omit locally)
 *   PORT  (default 3978; 0 picks a free port)
 */
import { BotSessionMiddleware } from '@botsession/agents';
import { createSessionTracker } from '@botsession/core';
import { authorizeJWT, CloudAdapter, loadAuthConfigFromEnv } from '@microsoft/agents-hosting';
import express from 'express';
import { createAgent } from './agent.js';

const tracker = createSessionTracker();
tracker.on('sessionStart', (s) =>
  console.log(`session ${s.id} started on ${s.channel} (${s.conversationId})`),
);
tracker.on('sessionEnd', (s) =>
  console.log(`session ${s.id} ended: ${s.endReason} after ${s.interactions} interactions`),
);
tracker.on('error', (error) => console.error('botsession:', error.message));

// Without clientId, authentication is anonymous: fine for local tools, never for production.
const authConfig = loadAuthConfigFromEnv();
const adapter = new CloudAdapter(authConfig);
// The Emulator and the Playground are local web chats: give them the web channel's rules.
adapter.use(new BotSessionMiddleware(tracker, { channels: { emulator: 'web' } }));
const agent = createAgent(adapter, tracker);

const app = express();
app.use(express.json());
app.use(authorizeJWT(authConfig));
app.post('/api/messages', (req, res) => adapter.process(req, res, (context) => agent.run(context)));

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
