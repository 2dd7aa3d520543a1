import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { type MetaEvent, metaWebhook, refOf } from '@botsession/meta';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { APP_SECRET, fixture, postSigned, VERIFY_TOKEN } from './harness.js';

const WHATSAPP = {
  channel: 'whatsapp',
  conversationId: '106540352242922:16505551234',
  userId: '16505551234',
};

/** The same user, keyed by the business-scoped user id that every payload since April 2026 carries. */
const BSUID_CONVERSATION = {
  channel: 'whatsapp',
  conversationId: '106540352242922:US.13491208655302741918',
  userId: 'US.13491208655302741918',
};

let tracker: SessionTracker;
let calls: Array<{ event: MetaEvent; stamp: SessionStamp | undefined }>;
let url: string;

beforeEach(async () => {
  tracker = createSessionTracker();
  calls = [];
  ({ url } = await listenLocal(
    metaWebhook({
      tracker,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      onMessage: (event, stamp) => {
        calls.push({ event, stamp });
      },
    }),
  ));
});

afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

describe('WhatsApp Cloud API (object: whatsapp_business_account)', () => {
  it('stamps a text message as phone_number_id:wa_id, with the sender contact', async () => {
    const reply = await postSigned(url, fixture('whatsapp/text.json'));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(calls).toHaveLength(1);
    const { event, stamp } = calls[0]!;
    expect(refOf(event)).toEqual(WHATSAPP);
    expect(event.channel === 'whatsapp' && event.contact?.profile?.name).toBe('Sheena Nelson');
    expect(event.channel === 'whatsapp' && event.message.text?.body).toBe('Does it come in another color?');
    expect(stamp).toMatchObject({ isNew: true, session: { channel: 'whatsapp', userMessages: 1 } });
  });

  it('counts a button reply as a message of the same session', async () => {
    await postSigned(url, fixture('whatsapp/text.json'));
    await postSigned(url, fixture('whatsapp/interactive-reply.json'));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.stamp?.sessionId).toBe(calls[0]!.stamp?.sessionId);
    expect(calls[1]!.stamp?.isNew).toBe(false);
  });

  it('does not count statuses (sent, delivered, read) or reactions', async () => {
    await postSigned(url, fixture('whatsapp/status.json'));
    await postSigned(url, fixture('whatsapp/reaction.json'));
    expect(calls).toHaveLength(0);
    expect(await tracker.get(WHATSAPP)).toBeUndefined();
  });

  it('lets the bot count its own reply with refOf (WhatsApp sends no echoes)', async () => {
    await postSigned(url, fixture('whatsapp/text.json'));
    await tracker.track(refOf(calls[0]!.event), { direction: 'outbound' });
    expect(await tracker.get(WHATSAPP)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('ignores changes of other fields', async () => {
    const payload = JSON.parse(fixture('whatsapp/text.json'));
    payload.entry[0].changes[0].field = 'account_update';
    await postSigned(url, JSON.stringify(payload));
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['edit.json', 'an edit of an earlier message'],
    ['revoke.json', 'a deletion (revoke)'],
    ['request-welcome.json', 'a welcome request (the chat opened, nothing written)'],
    ['unsupported.json', 'an unsupported message type'],
  ])('counts %s as nothing and does not call onMessage: %s', async (file) => {
    const reply = await postSigned(url, fixture(`whatsapp/${file}`));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(calls).toHaveLength(0);
    expect(await tracker.get(BSUID_CONVERSATION)).toBeUndefined();
    expect(await tracker.get(WHATSAPP)).toBeUndefined();
  });

  it('does not count an edit or a deletion inside a session either', async () => {
    await postSigned(url, fixture('whatsapp/text-with-bsuid.json'));
    await postSigned(url, fixture('whatsapp/edit.json'));
    await postSigned(url, fixture('whatsapp/revoke.json'));
    expect(calls).toHaveLength(1);
    expect(await tracker.get(BSUID_CONVERSATION)).toMatchObject({ userMessages: 1, interactions: 1 });
  });

  it('counts and delivers a message that carries only a business-scoped user id (a username, no phone)', async () => {
    await postSigned(url, fixture('whatsapp/username-only.json'));
    expect(calls).toHaveLength(1);
    const { event, stamp } = calls[0]!;
    expect(refOf(event)).toEqual(BSUID_CONVERSATION);
    expect(event.channel === 'whatsapp' && event.phoneNumber).toBeUndefined();
    expect(event.channel === 'whatsapp' && event.contact?.profile?.username).toBe('@sheena');
    expect(stamp).toMatchObject({ isNew: true, session: { userMessages: 1 } });
  });

  it('keeps one conversation when the phone number is later withheld (keyed by the BSUID)', async () => {
    await postSigned(url, fixture('whatsapp/text-with-bsuid.json'));
    await postSigned(url, fixture('whatsapp/username-only.json'));
    expect(calls.map((call) => refOf(call.event))).toEqual([BSUID_CONVERSATION, BSUID_CONVERSATION]);
    expect(calls[0]!.event.channel === 'whatsapp' && calls[0]!.event.phoneNumber).toBe('16505551234');
    expect(calls[1]!.stamp?.sessionId).toBe(calls[0]!.stamp?.sessionId);
    expect(await tracker.get(BSUID_CONVERSATION)).toMatchObject({ userMessages: 2 });
  });
});
