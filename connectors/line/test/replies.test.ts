import { ConfigError, createSessionTracker } from '@botsession/core';
import { refOf, trackedClient } from '@botsession/line';
import { messagingApi } from '@line/bot-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { CHANNEL_ACCESS_TOKEN } from './fake-line-api.js';
import { ADA, ADA_REF, type Harness, startHarness } from './harness.js';

const text = (value: string) => ({ type: 'text' as const, text: value });

describe('messages the bot sends through the tracked client', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('counts a reply in the conversation of the event whose reply token it uses', async () => {
    h.onEvent = async (event) => {
      if (event.type === 'message') {
        await h.client.replyMessage({
          replyToken: event.replyToken!,
          messages: [text('Checking…'), text('Shipped!')],
        });
      }
    };
    await h.send('text-message');

    expect(h.api.callsTo('/v2/bot/message/reply')).toEqual([
      expect.objectContaining({
        body: {
          replyToken: 'b60d432864f44d079f6d8efe86cf404b',
          messages: [text('Checking…'), text('Shipped!')],
        },
        authorization: `Bearer ${CHANNEL_ACCESS_TOKEN}`,
      }),
    ]);
    // One API call, one delivery: the user sees one answer of two bubbles.
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts replies sent with replyMessageWithHttpInfo once', async () => {
    h.onEvent = async (event) => {
      if (event.type === 'message') {
        const response = await h.client.replyMessageWithHttpInfo({
          replyToken: event.replyToken!,
          messages: [text('Hi')],
        });
        expect(response.httpResponse.status).toBe(200);
      }
    };
    await h.send('text-message');

    expect(await h.tracker.get(ADA_REF)).toMatchObject({ botMessages: 1 });
  });

  it("opens the session with a follow event's welcome reply, and the user's message joins it", async () => {
    h.onEvent = async (event) => {
      if (event.type === 'follow') {
        await h.client.replyMessage({
          replyToken: event.replyToken!,
          messages: [text('Thanks for adding me!')],
        });
      }
    };
    await h.send('follow');
    await h.send('text-message');

    expect(h.started).toHaveLength(1);
    expect(h.seen[1]?.stamp).toMatchObject({ isNew: false, sessionId: h.started[0]?.id });
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('does not count a reply LINE refused', async () => {
    h.api.failing.add('/v2/bot/message/reply');
    h.onEvent = async (event) => {
      if (event.type === 'message') {
        await expect(
          h.client.replyMessage({ replyToken: event.replyToken!, messages: [text('late')] }),
        ).rejects.toMatchObject({ status: 400 });
      }
    };
    await h.send('text-message');

    expect(await h.tracker.get(ADA_REF)).toMatchObject({ botMessages: 0 });
  });

  it('does not count a reply sent after a handoff in the handler, and opens no new session', async () => {
    h.onEvent = async (event) => {
      if (event.type === 'message') {
        await h.tracker.handoff(refOf(event));
        await h.client.replyMessage({
          replyToken: event.replyToken!,
          messages: [text('An agent will answer here.')],
        });
      }
    };
    await h.send('text-message');

    expect(h.api.callsTo('/v2/bot/message/reply')).toHaveLength(1);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toEqual([
      expect.objectContaining({ endReason: 'handoff', userMessages: 1, botMessages: 0 }),
    ]);
    expect(await h.tracker.get(ADA_REF)).toBeUndefined();
  });

  it('counts a push as a proactive message that opens a session, and the answer joins it', async () => {
    await h.client.pushMessage({ to: ADA, messages: [text('Your order A-1042 has shipped.')] });
    await h.send('text-message');

    expect(h.started).toHaveLength(1);
    expect(h.started[0]).toMatchObject({ conversationId: ADA, userId: ADA, botMessages: 1, userMessages: 0 });
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts a push to a group in the group conversation, without a user', async () => {
    await h.client.pushMessage({ to: 'C4af4980629a4b3c5d6e7f8091a2b3c4d', messages: [text('Standup in 5')] });

    expect(h.started[0]).toMatchObject({
      conversationId: 'C4af4980629a4b3c5d6e7f8091a2b3c4d',
      botMessages: 1,
    });
    expect(h.started[0]?.userId).toBeUndefined();
  });

  it('counts a multicast once in each recipient’s conversation', async () => {
    const users = [ADA, 'U5bf5a91730b5c4d6e7f8091a2b3c4d5e', ADA];
    await h.client.multicast({ to: users, messages: [text('Sale starts now')] });

    expect(h.started.map((s) => [s.conversationId, s.botMessages])).toEqual([
      [ADA, 1],
      ['U5bf5a91730b5c4d6e7f8091a2b3c4d5e', 1],
    ]);
  });

  it('does not count a broadcast: LINE picks its recipients', async () => {
    await h.client.broadcast({ messages: [text('Happy new year')] });

    expect(h.api.callsTo('/v2/bot/message/broadcast')).toHaveLength(1);
    expect(h.started).toEqual([]);
  });

  it('counts a reply whose token the webhook never saw nowhere, with one warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      await h.client.replyMessage({ replyToken: 'not-from-our-webhook', messages: [text('?')] });
      await h.client.replyMessage({ replyToken: 'not-from-our-webhook-either', messages: [text('?')] });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }

    expect(h.started).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/reply token no lineWebhook\(\) with this tracker received/),
    ]);
  });
});

describe('the tracked client with the session store down', () => {
  it('delivers the push and counts nothing', async () => {
    const h = await startHarness({ backend: unavailableBackend() });
    try {
      const sent = await h.client.pushMessage({ to: ADA, messages: [text('proactive')] });
      expect(sent.sentMessages).toHaveLength(1);
      expect(h.errors.map((error) => error.name)).toEqual(['StoreUnavailableError']);
    } finally {
      await h.close();
    }
  });
});

describe('trackedClient configuration', () => {
  it('throws a ConfigError naming the tracker or the channel', async () => {
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    expect(() => trackedClient(client, undefined as never)).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'tracker' }),
    );
    const tracker = createSessionTracker();
    try {
      expect(() => trackedClient(client, tracker, { channel: '' })).toThrow(ConfigError);
    } finally {
      await tracker.close();
    }
  });
});
