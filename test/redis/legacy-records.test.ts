/**
 * Upgrading from 0.1.0, whose records were text (kinds 'L' and 'M', the delivery ids as
 * 'fingerprint:firstSeenAt:ordinal' entries): this version reads them, goes on with their
 * sessions, recognises their remembered delivery ids, ends them dated to their deadlines, and
 * writes them back packed. The records here are written by hand, in 0.1.0's layout.
 */
import { createSessionTracker, type Session } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../core/src/backends/redis/fingerprint.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { prefixForCurrentTest } from './test-prefix.js';

const SEP = '\u001f';
const WEB_TIMEOUT_MS = 300_000;
const WINDOW_MS = 3_600_000;

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
});

const pad = (value: number, width: number) => String(value).padStart(width, '0');

interface LegacySession {
  id: string;
  startedAt: number;
  lastUserMessageAt: number;
  interactions: number;
  userId: string;
}

/** A live session as 0.1.0 wrote it, without its delivery ids (the text form of record.lua). */
function legacyText(s: LegacySession): string {
  const expiresAt = s.lastUserMessageAt + WEB_TIMEOUT_MS;
  return `L${pad(expiresAt, 13)}${pad(s.lastUserMessageAt, 13)}${pad(s.lastUserMessageAt, 13)}${pad(expiresAt + WINDOW_MS, 13)}${pad(s.interactions, 9)}${pad(s.interactions, 9)}${pad(0, 9)}${[s.id, s.startedAt, '', '', '', '1', s.userId].join(SEP)}${SEP}`;
}

function legacyDeliveries(deliveries: Array<[id: string, seenAt: number]>): string {
  return deliveries.map(([id, seenAt]) => `${fingerprint(id)}:${seenAt}:1`).join(',');
}

function setUp(now: () => number) {
  const prefix = prefixForCurrentTest('legacy');
  const tracker = createSessionTracker({
    backend: redisBackend({ connection: server.url, prefix, shards: 1, clock: 'tracker', worker: false }),
    channels: { web: { inactivityTimeoutMs: WEB_TIMEOUT_MS, redeliveryWindowMs: WINDOW_MS } },
    now,
  });
  const ends: Session[] = [];
  tracker.on('sessionEnd', (session) => {
    ends.push(session);
  });
  const tag = `{${prefix}:0}`;
  const conversation = `web${SEP}c1`;
  const store = {
    live: async (s: LegacySession, deliveries: Array<[string, number]>) => {
      await redis.hset(`${tag}:records`, conversation, legacyText(s) + legacyDeliveries(deliveries));
      await redis.zadd(`${tag}:deadlines`, s.lastUserMessageAt + WEB_TIMEOUT_MS, conversation);
      await redis.hincrby(`${tag}:active`, 'web', 1);
    },
    memory: async (
      forgetAt: number,
      ended: LegacySession,
      endedAt: number,
      deliveries: Array<[string, number]>,
    ) => {
      const snapshot = `${pad(endedAt, 13)}inactivity${SEP}${legacyText(ended)}`;
      await redis.hset(
        `${tag}:records`,
        conversation,
        `M${pad(forgetAt, 13)}${ended.id}${SEP}1${SEP}${legacyDeliveries(deliveries)}${SEP}${snapshot}`,
      );
      await redis.zadd(`${tag}:deadlines`, forgetAt, conversation);
    },
    kind: async () => String.fromCharCode((await redis.hgetBuffer(`${tag}:records`, conversation))![0]!),
  };
  return { tracker, ends, store, ref: { channel: 'web', conversationId: 'c1', userId: 'u1' } };
}

describe('records written by 0.1.0', () => {
  it('go on: a live session keeps its id and counts, knows its delivery ids, and is written back packed', async () => {
    const now = 1_800_000_000_000;
    const { tracker, store, ref } = setUp(() => now);
    await store.live(
      {
        id: 'old-1',
        startedAt: now - 60_000,
        lastUserMessageAt: now - 10_000,
        interactions: 2,
        userId: 'u1',
      },
      [
        ['m1', now - 60_000],
        ['m2', now - 10_000],
      ],
    );
    expect(await store.kind()).toBe('L');

    const read = await tracker.get(ref);
    expect(read).toMatchObject({ id: 'old-1', interactions: 2, startedAt: now - 60_000, userId: 'u1' });

    const repeat = await tracker.track(ref, { direction: 'inbound', deliveryId: 'm2' });
    expect(repeat).toMatchObject({ sessionId: 'old-1', redelivered: true });
    expect(repeat.session.interactions).toBe(2);

    const next = await tracker.track(ref, { direction: 'inbound', deliveryId: 'm3' });
    expect(next).toMatchObject({ sessionId: 'old-1', isNew: false, redelivered: false });
    expect(next.session.interactions).toBe(3);
    expect(await store.kind()).toBe('l');
    expect(await tracker.get(ref)).toMatchObject({ id: 'old-1', interactions: 3, startedAt: now - 60_000 });
    // The ids it remembered in 0.1.0's form are still known once packed.
    expect(await tracker.track(ref, { direction: 'inbound', deliveryId: 'm1' })).toMatchObject({
      redelivered: true,
    });
    await tracker.close();
  });

  it('end: a live session past its deadline ends by inactivity, dated to its deadline, and the next one follows it', async () => {
    const now = 1_800_000_000_000;
    const { tracker, ends, store, ref } = setUp(() => now);
    const lastUserMessageAt = now - WEB_TIMEOUT_MS - 5_000;
    await store.live(
      { id: 'old-2', startedAt: lastUserMessageAt - 1_000, lastUserMessageAt, interactions: 4, userId: 'u1' },
      [['m1', lastUserMessageAt]],
    );
    const stamp = await tracker.track(ref, { direction: 'inbound', deliveryId: 'm2' });
    expect(stamp.isNew).toBe(true);
    expect(stamp.session.previousSessionId).toBe('old-2');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({
      id: 'old-2',
      endReason: 'inactivity',
      endedAt: lastUserMessageAt + WEB_TIMEOUT_MS,
      interactions: 4,
    });
    expect(await store.kind()).toBe('l');
    await tracker.close();
  });

  it('remember: a conversation with no live session keeps its last session and its delivery ids', async () => {
    const now = 1_800_000_000_000;
    const { tracker, store, ref } = setUp(() => now);
    const ended = {
      id: 'old-3',
      startedAt: now - 900_000,
      lastUserMessageAt: now - 700_000,
      interactions: 5,
      userId: 'u1',
    };
    await store.memory(now + WINDOW_MS, ended, ended.lastUserMessageAt + WEB_TIMEOUT_MS, [
      ['m9', now - 700_000],
    ]);
    expect(await store.kind()).toBe('M');

    const repeat = await tracker.track(ref, { direction: 'inbound', deliveryId: 'm9' });
    expect(repeat).toMatchObject({ sessionId: 'old-3', redelivered: true });
    expect(repeat.session).toMatchObject({ status: 'ended', endReason: 'inactivity', interactions: 5 });

    const next = await tracker.track(ref, { direction: 'inbound', deliveryId: 'm10' });
    expect(next.isNew).toBe(true);
    expect(next.session.previousSessionId).toBe('old-3');
    expect(await store.kind()).toBe('l');
    await tracker.close();
  });
});
