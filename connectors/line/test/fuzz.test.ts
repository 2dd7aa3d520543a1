import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { lineWebhook } from '@botsession/line';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { CHANNEL_SECRET, postSigned } from './harness.js';

let tracker: SessionTracker;
let url: string;
const unexpected: unknown[] = [];

beforeAll(async () => {
  tracker = createSessionTracker();
  tracker.on('error', (error) => void unexpected.push(error));
  ({ url } = await listenLocal(lineWebhook({ tracker, channelSecret: CHANNEL_SECRET, onEvent: () => {} })));
});

afterAll(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

const ok = (status: number) => status === 200 || (status >= 400 && status < 500);

// Shapes close to LINE's, with any field replaced by anything, so the inner checks run.
const id = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.constant('U4af4980629a4b3c5d6e7f8091a2b3c4d'),
);
const source = fc.oneof(
  fc.record(
    { type: fc.constantFrom('user', 'group', 'room', 'x'), userId: id, groupId: id, roomId: id },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const event = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('message', 'postback', 'follow', 'unfollow', 'join', 'unsend', 'activated'),
      fc.anything(),
    ),
    mode: fc.oneof(fc.constantFrom('active', 'standby'), fc.anything()),
    source,
    webhookEventId: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.anything()),
    replyToken: fc.oneof(fc.string(), fc.anything()),
    deliveryContext: fc.oneof(fc.record({ isRedelivery: fc.boolean() }), fc.anything()),
    message: fc.oneof(fc.record({ type: fc.string(), id: fc.string(), text: fc.string() }), fc.anything()),
    postback: fc.anything(),
    timestamp: fc.oneof(fc.integer(), fc.anything()),
  },
  { requiredKeys: [] },
);
const payload = fc.record(
  {
    destination: fc.oneof(id, fc.anything()),
    events: fc.oneof(fc.array(event, { maxLength: 5 }), fc.anything()),
  },
  { requiredKeys: [] },
);

describe('any correctly signed body gets a 2xx or 4xx, never a crash or 5xx', () => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        expect(ok((await postSigned(url, Buffer.from(bytes))).status)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('random JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), async (text) => {
        expect(ok((await postSigned(url, text)).status)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('LINE-shaped payloads with random fields, and no tracker call ever fails on them', async () => {
    const logged: unknown[][] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      await fc.assert(
        fc.asyncProperty(payload, async (value) => {
          const text = JSON.stringify(value) ?? 'null';
          expect(ok((await postSigned(url, text)).status)).toBe(true);
        }),
        { numRuns: 300 },
      );
    } finally {
      console.error = log;
    }
    // Malformed input is refused or ignored: it never reaches the tracker as a bad call.
    expect(logged).toEqual([]);
    expect(unexpected).toEqual([]);
  });

  it('messages and postbacks with any ids are counted or refused, never a failed tracker call', async () => {
    const interaction = fc.record({
      type: fc.constantFrom('message', 'postback'),
      mode: fc.constantFrom('active', undefined),
      source: fc.record({
        type: fc.constantFrom('user', 'group', 'room'),
        userId: id,
        groupId: id,
        roomId: id,
      }),
      webhookEventId: fc.oneof(fc.string({ maxLength: 600 }), fc.constant('x'.repeat(513)), fc.anything()),
      replyToken: fc.oneof(fc.string(), fc.anything()),
    });
    const logged: unknown[][] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(interaction, { minLength: 1, maxLength: 4 }), async (events) => {
          expect(ok((await postSigned(url, JSON.stringify({ destination: 'U1', events }))).status)).toBe(
            true,
          );
        }),
        { numRuns: 200 },
      );
    } finally {
      console.error = log;
    }
    expect(logged).toEqual([]);
  });

  it('random signatures on a real body are refused, never accepted', async () => {
    const body = '{"destination":"U1","events":[]}';
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9+/=]{0,60}$/), async (signature) => {
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'x-line-signature': signature },
        });
        expect([401, 403]).toContain(response.status);
      }),
      { numRuns: 150 },
    );
  });
});
