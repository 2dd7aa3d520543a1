/**
 * With webhook redelivery turned on, LINE sends an event again when the bot server did not
 * answer 2xx; it keeps its `webhookEventId` and has `deliveryContext.isRedelivery: true`.
 * https://developers.line.biz/en/docs/messaging-api/receiving-messages/#webhook-redelivery
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA_REF, fixtureWith, type Harness, postSigned, startHarness } from './harness.js';

const redelivered = (name: string) =>
  fixtureWith(name, (events) => {
    for (const event of events) event.deliveryContext = { isRedelivery: true };
  });

describe('a redelivered event (same webhookEventId)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('counts once, still calls onEvent, and stamps it redelivered with the original session', async () => {
    await h.send('text-message');
    await postSigned(h.url, redelivered('text-message'));

    expect(h.seen).toHaveLength(2);
    expect(h.seen[0]?.stamp).toMatchObject({ isNew: true, redelivered: false });
    expect(h.seen[1]?.stamp).toMatchObject({ sessionId: h.seen[0]?.stamp?.sessionId, redelivered: true });
    expect(h.started).toHaveLength(1);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1 });
  });

  it('counts another webhookEventId with the same text as a new message', async () => {
    await h.send('text-message');
    await postSigned(
      h.url,
      fixtureWith('text-message', (events) => {
        events[0]!.webhookEventId = '01JD4QZZZZZZZZZZZZZZZZZZZZ';
      }),
    );

    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 2 });
  });

  it('after a failure ended the session: the retry sees the ended session, its reply counts nowhere', async () => {
    let fail = true;
    h.onEvent = async (event) => {
      if (event.type !== 'message') return;
      if (fail) throw new Error('orders API is down');
      await h.client.replyMessage({
        replyToken: event.replyToken!,
        messages: [{ type: 'text', text: 'Shipped!' }],
      });
    };
    await h.send('text-message');
    fail = false;
    await postSigned(h.url, redelivered('text-message'));

    expect(h.seen[1]?.stamp).toMatchObject({
      sessionId: h.seen[0]?.stamp?.sessionId,
      redelivered: true,
      session: { status: 'ended', endReason: 'interrupted' },
    });
    expect(h.api.callsTo('/v2/bot/message/reply')).toHaveLength(1);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', botMessages: 0 })]);
  });

  it('a retry that fails again does not end the session a later message opened', async () => {
    h.onEvent = (event) => {
      if (event.type === 'message') throw new Error('flaky');
    };
    await h.send('text-message');
    await h.send('postback');
    await postSigned(h.url, redelivered('text-message'));

    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ id: h.seen[1]?.stamp?.sessionId, status: 'active' });
  });
});
