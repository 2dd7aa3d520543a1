/**
 * Two bot processes behind one load balancer share one Redis: LINE's redelivery of an event may
 * reach the other one. Two webhook instances with their own trackers and Redis connections stand
 * for the two processes (the core's multi-process suite runs real child processes).
 */
import { randomUUID } from 'node:crypto';
import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { lineWebhook } from '@botsession/line';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { type RedisServer, startRedis } from '../../../test/support/redis-server.js';
import { ADA_REF, CHANNEL_SECRET, fixture, fixtureWith, postSigned } from './harness.js';

let redis: RedisServer;
const trackers: SessionTracker[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await closeAllLocalServers();
  await Promise.all(trackers.map((tracker) => tracker.close()));
  await redis?.destroy();
});

async function botProcess(prefix: string) {
  const tracker = createSessionTracker({ backend: redisBackend({ connection: redis.url, prefix }) });
  trackers.push(tracker);
  const seen: Array<SessionStamp | undefined> = [];
  const { url } = await listenLocal(
    lineWebhook({
      tracker,
      channelSecret: CHANNEL_SECRET,
      onEvent: (_event, stamp) => void seen.push(stamp),
    }),
  );
  return { tracker, seen, url };
}

describe('LINE on Redis', () => {
  it('counts an event redelivered to another process once; that process still handles it', async () => {
    const prefix = `line-${randomUUID()}`;
    const a = await botProcess(prefix);
    const b = await botProcess(prefix);

    expect((await postSigned(a.url, fixture('text-message'))).status).toBe(200);
    const retry = fixtureWith('text-message', (events) => {
      events[0]!.deliveryContext = { isRedelivery: true };
    });
    expect((await postSigned(b.url, retry)).status).toBe(200);

    expect(a.seen[0]).toMatchObject({ isNew: true, redelivered: false });
    expect(b.seen[0]).toMatchObject({ sessionId: a.seen[0]?.sessionId, redelivered: true, isNew: false });
    expect(await b.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1, interactions: 1 });
  });
});
