import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { twitterWebhook } from '@botsession/twitter';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { deliver, fixture, SECRET } from './serve.js';

let tracker: SessionTracker;
let url: string;
beforeAll(async () => {
  tracker = createSessionTracker();
  tracker.on('error', () => {});
  ({ url } = await listenLocal(twitterWebhook({ tracker, consumerSecret: SECRET, onMessage: () => {} })));
});
afterAll(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

const accepted = (status: number) => status >= 200 && status < 500;

/** Real-looking deliveries with any field replaced by anything. */
const mutatedDelivery = fc
  .record({
    path: fc.constantFrom(
      ['for_user_id'],
      ['direct_message_events'],
      ['direct_message_events', 0],
      ['direct_message_events', 0, 'type'],
      ['direct_message_events', 0, 'message_create'],
      ['direct_message_events', 0, 'message_create', 'sender_id'],
      ['direct_message_events', 0, 'message_create', 'target'],
      ['direct_message_events', 0, 'message_create', 'target', 'recipient_id'],
      ['direct_message_events', 0, 'message_create', 'message_data'],
      ['direct_message_events', 0, 'message_create', 'message_data', 'text'],
      ['users'],
    ),
    value: fc.jsonValue(),
  })
  .map(({ path, value }) => {
    const payload = JSON.parse(fixture('direct-message'));
    let at = payload;
    for (const key of path.slice(0, -1)) at = at?.[key];
    if (typeof at === 'object' && at !== null) at[path.at(-1)!] = value;
    return JSON.stringify(payload);
  });

/** X Activity API `dm.received` events with any field replaced by anything. */
const mutatedActivityEvent = fc
  .record({
    path: fc.constantFrom(
      ['data'],
      ['data', 'event_type'],
      ['data', 'event_uuid'],
      ['data', 'filter'],
      ['data', 'filter', 'user_id'],
      ['data', 'payload'],
      ['data', 'payload', 'direct_message_events'],
      ['data', 'payload', 'direct_message_events', 0],
      ['data', 'payload', 'direct_message_events', 0, 'id'],
      ['data', 'payload', 'direct_message_events', 0, 'message_create', 'sender_id'],
      ['data', 'payload', 'users'],
      ['data', 'payload', 'users', '3001969357'],
      ['for_user_id'],
    ),
    value: fc.jsonValue(),
  })
  .map(({ path, value }) => {
    const payload = JSON.parse(fixture('activity-dm-received'));
    let at = payload;
    for (const key of path.slice(0, -1)) at = at?.[key];
    if (typeof at === 'object' && at !== null) at[path.at(-1)!] = value;
    return JSON.stringify(payload);
  });

describe('any correctly signed input gets a 2xx or 4xx, never a crash or 5xx', () => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expect(accepted((await deliver(url, Buffer.from(bytes))).status)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('random JSON shapes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        expect(accepted((await deliver(url, JSON.stringify(value) ?? 'null')).status)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('X Activity API events with one field replaced by any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedActivityEvent, async (body) => {
        expect(accepted((await deliver(url, body)).status)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('documented deliveries with one field replaced by any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedDelivery, async (body) => {
        expect(accepted((await deliver(url, body)).status)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('any crc_token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (token) => {
        const response = await fetch(`${url}/?crc_token=${encodeURIComponent(token)}`);
        await response.arrayBuffer();
        expect(accepted(response.status)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('any path and method', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.array(fc.oneof(fc.constantFrom('', '%', '%zz', '..', '?crc_token=a'), fc.string()), {
          maxLength: 4,
        }),
        async (method, segments) => {
          const path = `/${segments.map((s) => (s.startsWith('%') || s.startsWith('?') ? s : encodeURIComponent(s))).join('/')}`;
          const response = await fetch(`${url}${path}`, {
            method,
            ...(method === 'GET' ? {} : { body: '{}' }),
          });
          await response.arrayBuffer();
          expect(accepted(response.status)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
