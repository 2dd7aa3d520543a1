import { createServer } from 'node:http';
import { createSupportBot } from './bot.js';

// BOTSESSION_API_KEYS: comma-separated bearer keys your integration sends (16+ characters each).
const apiKeys = (process.env.BOTSESSION_API_KEYS ?? '')
  .split(',')
  .map((key) => key.trim())
  .filter((key) => key !== '');
if (apiKeys.length === 0) {
  console.error(
    'Set BOTSESSION_API_KEYS (e.g. BOTSESSION_API_KEYS=$(openssl rand -hex 24)) to run this example.',
  );
  process.exit(1);
}
const { handler, tracker } = createSupportBot({ apiKeys });
const port = Number(process.env.PORT ?? 3000);
const server = createServer(handler).listen(port, () =>
  console.log(`messaging API on http://localhost:${port}/v1/messages (spec: /v1/openapi.json)`),
);

process.on('SIGINT', () => {
  server.close();
  void tracker.close();
});
