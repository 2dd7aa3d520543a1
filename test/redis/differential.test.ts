/**
 * The Lua commands mirror core/src/rules.ts. Beyond the conformance suite's chosen cases,
 * this drives random event sequences through a memory tracker and a Redis tracker side by
 * side, on one fake clock, and requires the same answer from both at every step.
 */
import { randomUUID } from 'node:crypto';
import {
  type ConversationRef,
  createSessionTracker,
  END_REASONS,
  type SessionTracker,
} from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../support/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.destroy();
});

const MINUTE = 60_000;
const channels = {
  web: { inactivityTimeoutMs: 5 * MINUTE, surveyWindowMs: 3 * MINUTE },
  // A channel whose policy turns some ends off, so the gates are exercised too.
  gated: { inactivityTimeoutMs: 7 * MINUTE, endOn: { handoff: false, interruption: false } },
};

const step = fc.record({
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 * MINUTE })),
  conversation: fc.constantFrom<ConversationRef>(
    { channel: 'web', conversationId: 'a', userId: 'ua' },
    { channel: 'web', conversationId: 'b' },
    { channel: 'gated', conversationId: 'a', userId: 'ug' },
  ),
  op: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('inbound', 'outbound') },
    { weight: 1, arbitrary: fc.constantFrom('handoff', 'surveySent', 'surveyAnswered', 'get') },
    { weight: 2, arbitrary: fc.constantFrom('reply:session-1', 'reply:session-2', 'reply:session-3') },
    { weight: 1, arbitrary: fc.constant('search') },
    { weight: 1, arbitrary: fc.constantFrom(...END_REASONS.map((r) => `end:${r}`)) },
    // Platform delivery ids: repeats must count nothing, on both backends alike.
    { weight: 3, arbitrary: fc.constantFrom('inbound@d1', 'inbound@d2', 'outbound@d3', 'handoff@h1') },
    { weight: 1, arbitrary: fc.constantFrom('surveyAnswered@score', 'surveySent@s1') },
  ),
});

async function apply(tracker: SessionTracker, ref: ConversationRef, op: string) {
  if (op === 'inbound' || op === 'outbound') return tracker.track(ref, { direction: op });
  if (op === 'inbound@d1' || op === 'inbound@d2') {
    return tracker.track(ref, { direction: 'inbound', deliveryId: op.slice(8) });
  }
  if (op === 'outbound@d3') return tracker.track(ref, { direction: 'outbound', deliveryId: 'd3' });
  if (op === 'handoff@h1') return tracker.handoff(ref, { deliveryId: 'h1' });
  if (op === 'surveySent@s1') return tracker.surveySent(ref, { deliveryId: 's1' });
  if (op === 'surveyAnswered@score') return tracker.surveyAnswered(ref, { score: 7.5 });
  if (op === 'handoff') return tracker.handoff(ref);
  if (op === 'surveySent') return tracker.surveySent(ref);
  if (op === 'surveyAnswered') return tracker.surveyAnswered(ref);
  if (op === 'get') return tracker.get(ref);
  if (op === 'search') return tracker.track(ref, { direction: 'inbound', startsSession: false });
  if (op.startsWith('reply:')) return tracker.track(ref, { direction: 'outbound', inReplyTo: op.slice(6) });
  return tracker.end(ref, op.slice(4) as (typeof END_REASONS)[number]);
}

function pair() {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const ids = () => {
    let n = 0;
    return () => `session-${++n}`;
  };
  const memory = createSessionTracker({ channels, now: clock, generateId: ids() });
  const redis = createSessionTracker({
    channels,
    now: clock,
    generateId: ids(),
    // No worker: this compares the answers of calls; deadlines pass on the fake clock only.
    backend: redisBackend({
      connection: server.url,
      prefix: `diff-${randomUUID()}`,
      worker: false,
      clock: 'tracker',
      shards: 3,
    }),
  });
  return { memory, redis, advance: (ms: number) => (now += ms), now: clock };
}

describe('the Redis backend answers like the rule engine', () => {
  it('gives the same result as the memory backend for random event sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { memory, redis, advance, now } = pair();
        try {
          for (const { advanceMs, conversation, op } of steps) {
            advance(advanceMs);
            const expected = await apply(memory, conversation, op);
            const actual = await apply(redis, conversation, op);
            expect(actual, `${op} on ${conversation.channel}/${conversation.conversationId}`).toEqual(
              expected,
            );
          }
          // The ledgers agree too: same sessions, interactions, ends, durations and surveys.
          const range = { from: 0, to: now() + 86_400_000, by: ['channel', 'hour'] as const };
          expect(await redis.report({ ...range, by: [...range.by] })).toEqual(
            await memory.report({ ...range, by: [...range.by] }),
          );
          // All time per channel: Redis reads its never-expiring totals, memory sums the hours.
          const allTime = { from: 0, to: now() + 86_400_000 };
          expect(await redis.report(allTime)).toEqual(await memory.report(allTime));
        } finally {
          await Promise.all([memory.close(), redis.close()]);
        }
      }),
      { numRuns: 60 },
    );
  });
});
