import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { messagingApi } from '@botsession/messaging-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { call, KEY } from './client.js';

let tracker: SessionTracker;
let url: string;
beforeAll(async () => {
  tracker = createSessionTracker();
  tracker.on('error', () => {});
  ({ url } = await listenLocal(messagingApi({ tracker, apiKeys: [KEY], onMessage: ({ text }) => text })));
});
afterAll(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

const accepted = (status: number) => status >= 200 && status < 500;
const PATHS = [
  '/v1/messages',
  '/v1/conversations/c/handoff',
  '/v1/conversations/c/survey-sent',
  '/v1/conversations/c/survey-answered',
  '/v1/conversations/c/end',
];

async function post(path: string, body: Buffer | string): Promise<number> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('any authenticated input gets a 2xx or 4xx, never a crash or 5xx', () => {
  it('random bytes on every POST route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 300 }), async (path, bytes) => {
        expect(accepted(await post(path, Buffer.from(bytes)))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('random JSON shapes, and messages with any field values', async () => {
    const message = fc.record(
      {
        conversationId: fc.jsonValue(),
        userId: fc.jsonValue(),
        text: fc.jsonValue(),
        reason: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.oneof(fc.jsonValue(), message), async (path, value) => {
        expect(accepted(await post(path, JSON.stringify(value) ?? 'null'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('any path and method', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.array(
          fc.oneof(fc.constantFrom('v1', 'conversations', 'session', 'end', '%', '%zz', '..'), fc.string()),
          {
            maxLength: 5,
          },
        ),
        async (method, segments) => {
          const path = `/${segments.map((s) => (s.startsWith('%') ? s : encodeURIComponent(s))).join('/')}`;
          const reply = await call(url, method, path, method === 'GET' ? undefined : {});
          expect(accepted(reply.status)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
