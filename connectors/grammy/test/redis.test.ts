/**
 * Two bot processes on one Redis (webhook behind a load balancer): Telegram's retry of an update
 * may reach the other one. Two bots with their own trackers and Redis connections stand for them.
 */
import { randomUUID } from 'node:crypto';
import type { SessionStamp } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../../test/support/redis-server.js';
import { textMessage } from '../../../test/support/telegram/updates.js';
import { type Harness, startHarness } from './harness.js';

let redis: RedisServer;
const harnesses: Harness[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await redis?.destroy();
});

async function botProcess(prefix: string) {
  const h = await startHarness({ backend: redisBackend({ connection: redis.url, prefix }) });
  harnesses.push(h);
  const stamps: Array<SessionStamp | undefined> = [];
  h.bot.on('message:text', async (ctx) => {
    stamps.push(ctx.botSession);
    await ctx.reply('on it');
  });
  return { h, stamps };
}

describe('grammY on Redis', () => {
  it('counts an update redelivered to another process once; that process still handles it', async () => {
    const prefix = `grammy-${randomUUID()}`;
    const a = await botProcess(prefix);
    const b = await botProcess(prefix);
    const update = textMessage('where is my order?');

    await a.h.deliver(update);
    await b.h.deliver(structuredClone(update));

    expect(a.stamps[0]).toMatchObject({ isNew: true, redelivered: false });
    expect(b.stamps[0]).toMatchObject({ sessionId: a.stamps[0]?.sessionId, redelivered: true });
    // One user message; both replies reached the user, so both count.
    expect(await b.h.tracker.get({ channel: 'telegram', conversationId: '7' })).toMatchObject({
      userMessages: 1,
      botMessages: 2,
    });
  });
});
