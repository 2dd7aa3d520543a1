import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { botSession } from '@botsession/twilio';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { sign } from './harness.js';

let tracker: SessionTracker;
let url: string;

beforeAll(async () => {
  tracker = createSessionTracker();
  const app = express();
  app.post(
    '/sms',
    botSession(tracker, { authToken: '0123456789abcdef0123456789abcdef', bodyLimitBytes: 4096 }),
    (_req, res) => {
      res.type('text/xml').send('<Response><Message>ok</Message></Response>');
    },
  );
  url = `${(await listenLocal(app)).url}/sms`;
});

afterAll(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

/** The parameters Twilio would sign for a form body: every value of a repeated key. */
function paramsOf(body: string): Record<string, string | string[]> {
  const params: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    params[key] = [...(params[key] ?? []), value];
  }
  const signed: Record<string, string | string[]> = Object.create(null);
  for (const [key, values] of Object.entries(params)) signed[key] = values.length === 1 ? values[0]! : values;
  return signed;
}

async function post(body: Buffer | string, signature?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return response.status;
}

const key = fc.oneof(
  fc.constantFrom(
    'MessageSid',
    'From',
    'To',
    'Body',
    'NumMedia',
    'MessageStatus',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  fc.constantFrom('', 'SM123', '+14155550100', 'whatsapp:+14155550100', 'delivered', '0'),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('fuzzing the webhook (correctly signed, any shape)', () => {
  it('answers any signed set of form parameters with 2xx or 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 12 }), async (pairs) => {
        const body = new URLSearchParams(pairs).toString();
        const status = await post(body, sign(url, paramsOf(body)));
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('answers any signed random bytes with 2xx or 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        const body = Buffer.from(bytes);
        const status = await post(body, sign(url, paramsOf(body.toString('utf8'))));
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any unsigned body with 403 (unread), and any signed body over the limit with 413', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 6000, size: 'max' }), async (bytes) => {
        expect(await post(Buffer.from(bytes))).toBe(403);
        const signed = await post(
          Buffer.from(bytes),
          sign(url, paramsOf(Buffer.from(bytes).toString('utf8'))),
        );
        if (bytes.length > 4096) expect(signed).toBe(413);
        else expect(signed).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('tracks a signed message whatever its other parameters are', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), value), { maxLength: 8 }),
        fc.integer({ min: 0, max: 9999 }),
        async (extra, line) => {
          const from = `+1415555${String(line).padStart(4, '0')}`;
          const pairs: Array<[string, string]> = [
            ...extra.filter(([name]) => !['MessageSid', 'From', 'To', 'Body', 'NumMedia'].includes(name)),
            ['MessageSid', 'SM1'],
            ['From', from],
            ['To', '+15017122661'],
            ['Body', 'hi'],
          ];
          const body = new URLSearchParams(pairs).toString();
          expect(await post(body, sign(url, paramsOf(body)))).toBe(200);
          expect(await tracker.get({ channel: 'sms', conversationId: `${from}|+15017122661` })).toBeDefined();
        },
      ),
      { numRuns: 100 },
    );
  });
});
