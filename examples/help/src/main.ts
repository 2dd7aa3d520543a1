/**
 * Runs the example help center and prints every help session as it starts and ends.
 *
 *   PORT                 port to listen on (default 3000)
 *   HOST                 interface to listen on (default 127.0.0.1)
 *   HELP_INACTIVITY_MS   inactivity that ends a session (default: core's 5 minutes)
 *
 * No platform credentials: a help center needs none.
 */
import { createSessionTracker } from '@botsession/core';
import { startHelpCenterSite } from './site.js';

const inactivity = process.env.HELP_INACTIVITY_MS;
const tracker = createSessionTracker(
  inactivity ? { channels: { help: { inactivityTimeoutMs: Number(inactivity) } } } : {},
);
tracker.on('sessionStart', (s) => console.log(`start ${s.id} tab=${s.conversationId}`));
tracker.on('sessionEnd', (s) =>
  console.log(`end   ${s.id} ${s.endReason} after ${s.interactions} interactions`),
);
tracker.on('error', (error) => console.error('botsession:', error.message));

const site = await startHelpCenterSite({
  tracker,
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  onEvent: (event, { stamp }) =>
    console.log(
      `      ${stamp?.sessionId ?? '(no session)'} ${event.type}`,
      event.type === 'open' ? event.article : '',
    ),
});
console.log(`help center on ${site.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await site.close();
    await tracker.close();
  });
}
