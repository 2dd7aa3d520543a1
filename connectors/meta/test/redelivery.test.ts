/**
 * Meta retries a webhook POST it got no 200 for, with the same body: the same `mid` (Messenger,
 * Instagram) or `wamid` (WhatsApp). Each message counts once, whatever the number of deliveries.
 */
import { createSessionTracker, type Session, type SessionStamp, type SessionTracker } from '@botsession/core';
import { type MetaEvent, metaWebhook, refOf, trackSent } from '@botsession/meta';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { APP_SECRET, fixture, postSigned, VERIFY_TOKEN } from './harness.js';

const FACEBOOK = { channel: 'facebook', conversationId: '106589192215347:6024661307592331' };
/** The `mid` of fixtures/messenger/echo.json: what the Send API returned as `message_id`. */
const ECHO_MID = 'mid.1457764197618:41d102a3e1ae206a40';

let tracker: SessionTracker;
let calls: Array<{ event: MetaEvent; stamp: SessionStamp | undefined }>;
let started: Session[];
let ended: Session[];
let fail: boolean;
let url: string;

beforeEach(async () => {
  tracker = createSessionTracker();
  calls = [];
  started = [];
  ended = [];
  fail = false;
  tracker.on('sessionStart', (session) => {
    started.push(session);
  });
  tracker.on('sessionEnd', (session) => {
    ended.push(session);
  });
  ({ url } = await listenLocal(
    metaWebhook({
      tracker,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      onMessage: (event, stamp) => {
        calls.push({ event, stamp });
        if (fail) throw new Error('the CRM is down');
      },
      onError: () => {},
    }),
  ));
});

afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

describe('Meta redeliveries (same mid / wamid)', () => {
  it.each([
    ['messenger/message.json', FACEBOOK],
    [
      'instagram/message.json',
      { channel: 'instagram', conversationId: '17841405309211844:1914216572109394' },
    ],
    ['whatsapp/text.json', { channel: 'whatsapp', conversationId: '106540352242922:16505551234' }],
  ])(
    'counts %s once, runs the handler again with the original stamp marked redelivered',
    async (file, ref) => {
      const body = fixture(file);
      expect((await postSigned(url, body)).status).toBe(200);
      expect((await postSigned(url, body)).status).toBe(200);
      expect(calls).toHaveLength(2);
      expect(calls[0]!.stamp).toMatchObject({ isNew: true, redelivered: false });
      expect(calls[1]!.stamp).toMatchObject({ isNew: false, redelivered: true });
      expect(calls[1]!.stamp?.sessionId).toBe(calls[0]!.stamp?.sessionId);
      expect(await tracker.get(ref)).toMatchObject({ userMessages: 1, interactions: 1 });
    },
  );

  it('opens no second session after a handler failure: the retry sees the ended session', async () => {
    const body = fixture('messenger/message.json');
    fail = true;
    await postSigned(url, body);
    expect(ended.map((session) => session.endReason)).toEqual(['interrupted']);
    fail = false;
    await postSigned(url, body);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.stamp).toMatchObject({ redelivered: true, session: { status: 'ended' } });
    expect(calls[1]!.stamp?.sessionId).toBe(calls[0]!.stamp?.sessionId);
    expect(started).toHaveLength(1);
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('a retry that fails again does not end the session the user opened since', async () => {
    const body = fixture('messenger/message.json');
    fail = true;
    await postSigned(url, body);
    fail = false;
    await postSigned(url, body.replace('206a38', '206a39')); // the user's next message
    const current = await tracker.get(FACEBOOK);
    expect(current?.status).toBe('active');
    fail = true;
    await postSigned(url, body); // Meta retries the first one, and the handler fails again
    expect(calls).toHaveLength(3);
    expect(ended).toHaveLength(1);
    expect(await tracker.get(FACEBOOK)).toMatchObject({ id: current?.id, status: 'active' });
  });
});

describe('echoes of replies the bot counted (trackSent)', () => {
  it('counts a reply once: when sent, and not again when its echo arrives', async () => {
    await postSigned(url, fixture('messenger/message.json'));
    const { event, stamp } = calls[0]!;
    const reply = await trackSent(tracker, event, stamp, ECHO_MID);
    expect(reply?.sessionId).toBe(stamp?.sessionId);
    await postSigned(url, fixture('messenger/echo.json'));
    expect(await tracker.get(FACEBOOK)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts a reply once when its echo arrives before the Send API answered', async () => {
    await postSigned(url, fixture('messenger/message.json'));
    await postSigned(url, fixture('messenger/echo.json'));
    const { event, stamp } = calls[0]!;
    const reply = await trackSent(tracker, event, stamp, ECHO_MID);
    expect(reply).toMatchObject({ redelivered: true, sessionId: stamp?.sessionId });
    expect(await tracker.get(FACEBOOK)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('a goodbye before a handoff echoes back after it and opens no session', async () => {
    await postSigned(url, fixture('messenger/message.json'));
    const { event, stamp } = calls[0]!;
    await trackSent(tracker, event, stamp, ECHO_MID);
    await tracker.handoff(refOf(event));
    await postSigned(url, fixture('messenger/echo.json'));
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
    expect(started).toHaveLength(1);
    expect(ended).toMatchObject([{ endReason: 'handoff', userMessages: 1, botMessages: 1 }]);
  });

  it('an echo of a message nobody counted is still a bot message (a person typing in the inbox)', async () => {
    await postSigned(url, fixture('messenger/message.json'));
    await postSigned(url, fixture('messenger/echo.json'));
    expect(await tracker.get(FACEBOOK)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });
});
