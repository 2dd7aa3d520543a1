import { refOf } from '@botsession/line';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { ADA, ADA_REF, type Harness, startHarness } from './harness.js';

const GROUP = 'C4af4980629a4b3c5d6e7f8091a2b3c4d';

describe('LINE webhook events', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it("counts a text message as the user's interaction and hands onEvent its stamp", async () => {
    const reply = await h.send('text-message');

    expect(reply).toEqual({ status: 200, text: '{}' });
    expect(h.seen).toHaveLength(1);
    expect(h.seen[0]?.event.type).toBe('message');
    expect(h.seen[0]?.stamp).toMatchObject({ isNew: true, redelivered: false });
    expect(h.started[0]).toMatchObject({
      channel: 'line',
      conversationId: ADA,
      userId: ADA,
      userMessages: 1,
    });
    const session = h.started[0]!;
    expect(session.expiresAt - session.lastUserMessageAt!).toBe(24 * 3_600_000);
  });

  it('counts stickers, images and postbacks as interactions of the same session, in body order', async () => {
    await h.send('text-message');
    await h.send('sticker-and-image');
    await h.send('postback');

    expect(h.seen.map((s) => s.event.type)).toEqual(['message', 'message', 'message', 'postback']);
    expect(new Set(h.seen.map((s) => s.stamp?.sessionId)).size).toBe(1);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 4, botMessages: 0 });
  });

  it('does not count follow, unfollow or unsend, and starts no session for them', async () => {
    await h.send('follow');
    await h.send('unsend');
    await h.send('unfollow');

    expect(h.seen.map((s) => [s.event.type, s.stamp])).toEqual([
      ['follow', undefined],
      ['unsend', undefined],
      ['unfollow', undefined],
    ]);
    expect(h.started).toEqual([]);
  });

  it('shows a non-counted event the session it happens in, without counting it', async () => {
    await h.send('text-message');
    await h.send('unsend');

    expect(h.seen[1]?.stamp).toMatchObject({ sessionId: h.seen[0]?.stamp?.sessionId, isNew: false });
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ interactions: 1 });
  });

  it('tracks a group as one conversation with the sender as user; join, member and leave events count nothing', async () => {
    await h.send('group-events');

    expect(h.seen.map((s) => s.event.type)).toEqual([
      'join',
      'memberJoined',
      'message',
      'memberLeft',
      'leave',
    ]);
    expect(h.started).toHaveLength(1);
    expect(h.started[0]).toMatchObject({
      conversationId: GROUP,
      userId: 'U5bf5a91730b5c4d6e7f8091a2b3c4d5e',
      userMessages: 1,
    });
    // The events after the message see its session.
    expect(h.seen[3]?.stamp?.sessionId).toBe(h.started[0]?.id);
  });

  it('tracks a multi-person chat (room) by its room id', async () => {
    await h.send('room-message');

    expect(h.started[0]).toMatchObject({ conversationId: 'Ra8dbf4673c4c812cd491258042226c99', userId: ADA });
  });

  it('counts nothing in standby mode, when another channel (a human agent) has the chat', async () => {
    await h.send('text-message');
    await h.send('standby-message');

    expect(h.seen[1]?.stamp).toBeUndefined();
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1 });
  });

  it("answers the console's Verify request (no events) with 200 and counts nothing", async () => {
    expect(await h.send('verify')).toEqual({ status: 200, text: '{}' });
    expect(h.seen).toEqual([]);
  });

  it('refOf(event) gives the conversation for any tracker call, and names a source-less event', async () => {
    h.onEvent = async (event) => {
      if (event.type === 'postback') await h.tracker.handoff(refOf(event));
    };
    await h.send('text-message');
    await h.send('postback');

    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'handoff', userMessages: 2 })]);
    expect(() => refOf({ type: 'activated' } as never)).toThrow(
      /"activated" event without a user, group or room source/,
    );
  });
});

describe('the channel option', () => {
  it('tracks under another channel id, which replies follow', async () => {
    const h = await startHarness({ webhook: { channel: 'line-shop' } });
    try {
      h.onEvent = async (event) => {
        if (event.type === 'message') {
          await h.client.replyMessage({
            replyToken: event.replyToken!,
            messages: [{ type: 'text', text: 'ok' }],
          });
        }
      };
      await h.send('text-message');

      expect(h.started[0]?.channel).toBe('line-shop');
      expect(await h.tracker.get({ channel: 'line-shop', conversationId: ADA })).toMatchObject({
        userMessages: 1,
        botMessages: 1,
      });
    } finally {
      await h.close();
    }
  });
});

describe('with the session store down', () => {
  it('still calls onEvent, without a stamp, answers 200, and the tracker emits error', async () => {
    const h = await startHarness({ backend: unavailableBackend() });
    try {
      const reply = await h.send('text-message');

      expect(reply.status).toBe(200);
      expect(h.seen.map((s) => s.stamp)).toEqual([undefined]);
      expect(h.errors.map((error) => error.name)).toEqual(['StoreUnavailableError']);
    } finally {
      await h.close();
    }
  });
});
