import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { metaWebhook } from '@botsession/meta';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { APP_SECRET, postSigned, VERIFY_TOKEN } from './harness.js';

let tracker: SessionTracker;
let url: string;

beforeAll(async () => {
  tracker = createSessionTracker();
  ({ url } = await listenLocal(
    metaWebhook({ tracker, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, onMessage: () => {} }),
  ));
});

afterAll(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

const ok = (status: number) => status === 200 || (status >= 400 && status < 500);

// Shapes close to Meta's, with any field replaced by anything, so the parser's inner checks run.
const id = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant('106589192215347'));
const messagingItem = fc.record(
  {
    sender: fc.oneof(fc.record({ id }), fc.anything()),
    recipient: fc.oneof(fc.record({ id }), fc.anything()),
    message: fc.oneof(
      fc.record({ text: fc.string(), is_echo: fc.anything(), is_deleted: fc.anything() }),
      fc.anything(),
    ),
    postback: fc.anything(),
    pass_thread_control: fc.oneof(fc.record({ new_owner_app_id: id }), fc.anything()),
    take_thread_control: fc.anything(),
  },
  { requiredKeys: [] },
);
const whatsAppValue = fc.record(
  {
    metadata: fc.oneof(fc.record({ phone_number_id: id }), fc.anything()),
    contacts: fc.oneof(fc.array(fc.record({ wa_id: id, profile: fc.anything() })), fc.anything()),
    messages: fc.oneof(fc.array(fc.record({ from: id, type: fc.string(), id: fc.string() })), fc.anything()),
    statuses: fc.anything(),
  },
  { requiredKeys: [] },
);
const payload = fc.record(
  {
    object: fc.oneof(fc.constantFrom('page', 'instagram', 'whatsapp_business_account'), fc.anything()),
    entry: fc.oneof(
      fc.array(
        fc.record(
          {
            id,
            messaging: fc.oneof(fc.array(messagingItem), fc.anything()),
            standby: fc.array(messagingItem),
            changes: fc.oneof(
              fc.array(fc.record({ field: fc.constantFrom('messages', 'x'), value: whatsAppValue })),
              fc.anything(),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      fc.anything(),
    ),
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

  it('Meta-shaped payloads with random fields', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (value) => {
        const text = JSON.stringify(value) ?? 'null';
        expect(ok((await postSigned(url, text)).status)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
