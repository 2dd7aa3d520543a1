// Run inside the scratch project (copied there as an ES module): the Redis backend from the
// packed @botsession/core, given a redis:// URL, so it opens its clients with the project's own
// ioredis (the newest: 6) and runs BullMQ beside it, as a new user's bot does. One session
// starts, and BullMQ's expiry job ends it by inactivity.
import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';

const tracker = createSessionTracker({
  backend: redisBackend({ connection: process.argv[2], prefix: 'pack-check' }),
  channels: { web: { inactivityTimeoutMs: 300 } },
});
const ended = new Promise((resolve, reject) => {
  tracker.on('sessionEnd', resolve);
  tracker.on('error', reject);
  setTimeout(() => reject(new Error('no sessionEnd within 15 s')), 15_000).unref();
});
const stamp = await tracker.track(
  { channel: 'web', conversationId: 'c1', userId: 'u1' },
  { direction: 'inbound' },
);
const session = await ended;
if (session.id !== stamp.sessionId || session.endReason !== 'inactivity') {
  throw new Error(`expected ${stamp.sessionId} to end by inactivity, got ${session.id} ${session.endReason}`);
}
await tracker.close();
console.log(`session ${session.id} started and ended by inactivity`);
