/**
 * The X Activity API (`dm.received` / `dm.sent` events, X's successor to the Account Activity
 * API) and both signature headers X documents, driven with payloads shaped like X's docs
 * (see fixtures/twitter/README.md) and signatures computed here with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { createSessionTracker, type Session, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  refOf,
  type TwitterDirectMessage,
  type TwitterWebhookOptions,
  trackSent,
  twitterWebhook,
} from '@botsession/twitter';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { deliver, fixture, SECRET, xSignature } from './serve.js';

const CLIENT_SECRET = 'oauth2-client-secret-for-tests';
const REF = { channel: 'twitter', conversationId: '4337869213:3001969357', userId: '3001969357' };

/** X's OAuth 2.0 header: the same algorithm as the legacy one, keyed with the client secret. */
function oauth2Signature(body: string): string {
  return `sha256=${createHmac('sha256', CLIENT_SECRET).update(body).digest('base64')}`;
}

let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

async function bot(
  secrets: Pick<TwitterWebhookOptions, 'clientSecret' | 'consumerSecret'> = { clientSecret: CLIENT_SECRET },
  fail: () => boolean = () => false,
) {
  tracker = createSessionTracker();
  const received: Array<{ message: TwitterDirectMessage; stamp: SessionStamp | undefined }> = [];
  const started: Session[] = [];
  const ended: Session[] = [];
  tracker.on('sessionStart', (s) => {
    started.push(s);
  });
  tracker.on('sessionEnd', (s) => {
    ended.push(s);
  });
  const handler = twitterWebhook({
    tracker,
    ...secrets,
    onMessage: (message, stamp) => {
      received.push({ message, stamp });
      if (fail()) throw new Error('the bot failed');
    },
    onError: () => {},
  });
  return { url: (await listenLocal(handler)).url, received, started, ended };
}

const signed = (body: string) => ({ 'x-twitter-webhooks-signature-oauth2': oauth2Signature(body) });

describe('X Activity API deliveries', () => {
  it('counts a dm.received event and hands it to onMessage, the user unwrapped from { data }', async () => {
    const b = await bot();
    const body = fixture('activity-dm-received');
    expect((await deliver(b.url, body, signed(body))).status).toBe(200);
    expect(b.received).toHaveLength(1);
    const { message, stamp } = b.received[0]!;
    expect(message).toMatchObject({
      forUserId: '4337869213',
      userId: '3001969357',
      text: 'hello!',
      api: 'x-activity',
    });
    expect(message.user).toMatchObject({ id: '3001969357', username: 'jordanbrinks' });
    expect(refOf(message)).toEqual(REF);
    expect(stamp).toMatchObject({ isNew: true, redelivered: false, session: { userMessages: 1 } });
  });

  it("counts a dm.sent event as the account's own (outbound) message, without onMessage", async () => {
    const b = await bot();
    const received = fixture('activity-dm-received');
    const sent = fixture('activity-dm-sent');
    await deliver(b.url, received, signed(received));
    await deliver(b.url, sent, signed(sent));
    expect(b.received).toHaveLength(1);
    expect(await tracker.get(REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it.each([
    ['activity-chat-received', 'an encrypted X Chat message'],
    ['activity-profile-update-bio', 'a profile update'],
  ])('answers 200 to %s (%s) and counts nothing', async (name) => {
    const b = await bot();
    const body = fixture(name);
    expect((await deliver(b.url, body, signed(body))).status).toBe(200);
    expect(b.received).toHaveLength(0);
    expect(b.started).toHaveLength(0);
  });

  it('reads a delivery that lists several events in data, in order', async () => {
    const b = await bot();
    const events = [
      JSON.parse(fixture('activity-dm-received')).data,
      JSON.parse(fixture('activity-dm-sent')).data,
    ];
    const body = JSON.stringify({ data: events });
    expect((await deliver(b.url, body, signed(body))).status).toBe(200);
    expect(b.received).toHaveLength(1);
    expect(await tracker.get(REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('answers 400 naming the field to a dm.received event without its filter user', async () => {
    const b = await bot();
    const payload = JSON.parse(fixture('activity-dm-received'));
    delete payload.data.filter.user_id;
    const body = JSON.stringify(payload);
    const reply = await deliver(b.url, body, signed(body));
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('data.filter.user_id');
    expect(b.started).toHaveLength(0);
  });

  it('counts a DM once when it arrives through both APIs (same DM event id)', async () => {
    const b = await bot({ clientSecret: CLIENT_SECRET, consumerSecret: SECRET });
    const legacy = fixture('direct-message');
    const activity = fixture('activity-dm-received').replace('2080765901528535096', '954491830116155396');
    await deliver(b.url, legacy, { 'x-twitter-webhooks-signature': xSignature(legacy) });
    await deliver(b.url, activity, signed(activity));
    expect(b.received).toHaveLength(2);
    expect(b.received[1]!.stamp).toMatchObject({
      redelivered: true,
      sessionId: b.received[0]!.stamp?.sessionId,
    });
    expect(await tracker.get(REF)).toMatchObject({ userMessages: 1 });
  });
});

describe('signatures: X-Twitter-Webhooks-Signature-OAuth2 and the legacy header', () => {
  it('accepts a delivery signed only with the OAuth 2.0 client secret (an OAuth 2.0-only app)', async () => {
    const b = await bot({ clientSecret: CLIENT_SECRET });
    const body = fixture('direct-message');
    expect((await deliver(b.url, body, signed(body))).status).toBe(200);
    expect(b.received).toHaveLength(1);
  });

  it('answers the CRC with the client secret when there is one', async () => {
    const b = await bot({ clientSecret: CLIENT_SECRET, consumerSecret: SECRET });
    const response = await fetch(`${b.url}/?crc_token=ODZmNjQ0NDctNjNjYy00MTU4`);
    const expected = createHmac('sha256', CLIENT_SECRET).update('ODZmNjQ0NDctNjNjYy00MTU4').digest('base64');
    expect(await response.json()).toEqual({ response_token: `sha256=${expected}` });
  });

  it('refuses a wrong OAuth 2.0 signature with 403 even when a valid legacy one is also sent', async () => {
    const b = await bot({ clientSecret: CLIENT_SECRET, consumerSecret: SECRET });
    const body = fixture('direct-message');
    const reply = await deliver(b.url, body, {
      'x-twitter-webhooks-signature-oauth2': oauth2Signature(`${body} `),
      'x-twitter-webhooks-signature': xSignature(body),
    });
    expect(reply.status).toBe(403);
    expect(b.started).toHaveLength(0);
  });

  it('falls back to the legacy header when the OAuth 2.0 one is absent and both secrets are set', async () => {
    const b = await bot({ clientSecret: CLIENT_SECRET, consumerSecret: SECRET });
    const body = fixture('direct-message');
    expect((await deliver(b.url, body, { 'x-twitter-webhooks-signature': xSignature(body) })).status).toBe(
      200,
    );
  });

  it('answers 401 to a legacy-only delivery when only the client secret is set, and the reverse', async () => {
    const body = fixture('direct-message');
    const clientOnly = await bot({ clientSecret: CLIENT_SECRET });
    const legacy = await deliver(clientOnly.url, body, { 'x-twitter-webhooks-signature': xSignature(body) });
    expect(legacy.status).toBe(401);
    expect(legacy.text).toContain('consumerSecret');
    await tracker.close();
    const consumerOnly = await bot({ consumerSecret: SECRET });
    const modern = await deliver(consumerOnly.url, body, signed(body));
    expect(modern.status).toBe(401);
    expect(modern.text).toContain('clientSecret');
  });

  it('answers 401 to a delivery with no signature header at all', async () => {
    const b = await bot();
    const reply = await deliver(b.url, fixture('direct-message'), {});
    expect(reply.status).toBe(401);
    expect(b.started).toHaveLength(0);
  });
});

describe('redeliveries (X asks consumers to deduplicate by event id)', () => {
  it('counts a redelivered dm.received once, and runs the handler again with the original stamp', async () => {
    const b = await bot();
    const body = fixture('activity-dm-received');
    await deliver(b.url, body, signed(body));
    await deliver(b.url, body, signed(body));
    expect(b.received.map((r) => r.stamp?.redelivered)).toEqual([false, true]);
    expect(b.received[1]!.stamp?.sessionId).toBe(b.received[0]!.stamp?.sessionId);
    expect(await tracker.get(REF)).toMatchObject({ userMessages: 1, interactions: 1 });
  });

  it('opens no second session after a handler failure: the retry sees the ended session', async () => {
    let failing = true;
    const b = await bot({ clientSecret: CLIENT_SECRET }, () => failing);
    const body = fixture('activity-dm-received');
    await deliver(b.url, body, signed(body));
    expect(b.ended.map((s) => s.endReason)).toEqual(['interrupted']);
    failing = false;
    await deliver(b.url, body, signed(body));
    expect(b.received).toHaveLength(2);
    expect(b.received[1]!.stamp).toMatchObject({ redelivered: true, session: { status: 'ended' } });
    expect(b.started).toHaveLength(1);
    expect(await tracker.get(REF)).toBeUndefined();
  });
});

describe("the account's own DMs, matched to replies the bot counted (trackSent)", () => {
  it('counts a reply once: when sent, and not again when X delivers it back', async () => {
    const b = await bot();
    const received = fixture('activity-dm-received');
    await deliver(b.url, received, signed(received));
    const { message, stamp } = b.received[0]!;
    await trackSent(tracker, message, stamp, '2080763914820927863'); // the send's dm_event_id
    const sent = fixture('activity-dm-sent');
    await deliver(b.url, sent, signed(sent));
    expect(await tracker.get(REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('a goodbye before a handoff, delivered back after it, opens no session', async () => {
    const b = await bot();
    const received = fixture('activity-dm-received');
    await deliver(b.url, received, signed(received));
    const { message, stamp } = b.received[0]!;
    await trackSent(tracker, message, stamp, '2080763914820927863');
    await tracker.handoff(refOf(message));
    const sent = fixture('activity-dm-sent');
    await deliver(b.url, sent, signed(sent));
    expect(await tracker.get(REF)).toBeUndefined();
    expect(b.started).toHaveLength(1);
    expect(b.ended).toMatchObject([{ endReason: 'handoff', botMessages: 1 }]);
  });
});
