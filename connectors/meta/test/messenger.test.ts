import { createSessionTracker, type Session, type SessionStamp, type SessionTracker } from '@botsession/core';
import { type MetaEvent, metaWebhook, refOf } from '@botsession/meta';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { APP_SECRET, fixture, postSigned, VERIFY_TOKEN } from './harness.js';

const FACEBOOK = {
  channel: 'facebook',
  conversationId: '106589192215347:6024661307592331',
  userId: '6024661307592331',
};
const INSTAGRAM = {
  channel: 'instagram',
  conversationId: '17841405309211844:1914216572109394',
  userId: '1914216572109394',
};

let tracker: SessionTracker;
let calls: Array<{ event: MetaEvent; stamp: SessionStamp | undefined }>;
let ended: Session[];

async function start(options: { appId?: string } = {}): Promise<string> {
  const { url } = await listenLocal(
    metaWebhook({
      tracker,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      onMessage: (event, stamp) => {
        calls.push({ event, stamp });
      },
      ...options,
    }),
  );
  return url;
}

beforeEach(() => {
  tracker = createSessionTracker();
  calls = [];
  ended = [];
  tracker.on('sessionEnd', (session) => {
    ended.push(session);
  });
});

afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

describe('Messenger (object: page)', () => {
  it('stamps a user message and hands it to onMessage as the conversation page:psid', async () => {
    const url = await start();
    const reply = await postSigned(url, fixture('messenger/message.json'));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(calls).toHaveLength(1);
    const [{ event, stamp }] = calls as [(typeof calls)[0]];
    expect(event).toMatchObject({ channel: 'facebook', kind: 'message', pageId: '106589192215347' });
    expect(event.channel === 'facebook' && event.messaging.message?.text).toBe('hello, world!');
    expect(refOf(event)).toEqual(FACEBOOK);
    expect(stamp?.isNew).toBe(true);
    expect(stamp?.session).toMatchObject({ channel: 'facebook', userMessages: 1, status: 'active' });
  });

  it('keeps one session across a message, a quick reply and a postback', async () => {
    const url = await start();
    await postSigned(url, fixture('messenger/message.json'));
    await postSigned(url, fixture('messenger/quick-reply.json'));
    await postSigned(url, fixture('messenger/postback.json'));
    expect(calls.map((call) => call.event.kind)).toEqual(['message', 'message', 'postback']);
    expect(new Set(calls.map((call) => call.stamp?.sessionId)).size).toBe(1);
    expect(calls.map((call) => call.stamp?.isNew)).toEqual([true, false, false]);
    expect((await tracker.get(FACEBOOK))?.userMessages).toBe(3);
  });

  it("counts the Page's echo as an outbound message of the recipient's conversation, without onMessage", async () => {
    const url = await start();
    await postSigned(url, fixture('messenger/message.json'));
    const reply = await postSigned(url, fixture('messenger/echo.json'));
    expect(reply.status).toBe(200);
    expect(calls).toHaveLength(1);
    const session = await tracker.get(FACEBOOK);
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1, interactions: 2 });
  });

  it('an echo with no session open starts one (a proactive message)', async () => {
    const url = await start();
    await postSigned(url, fixture('messenger/echo.json'));
    expect(await tracker.get(FACEBOOK)).toMatchObject({ botMessages: 1, userMessages: 0 });
  });

  it('does not count an edit of an earlier message (message_edits)', async () => {
    const url = await start();
    const payload = JSON.parse(fixture('messenger/message.json'));
    // https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-edits
    payload.entry[0].messaging[0] = {
      sender: { id: '6024661307592331' },
      recipient: { id: '106589192215347' },
      timestamp: 1458692752999,
      message_edit: { mid: 'm_1457764197618:41d102a3e1ae206a38', text: 'hello, world?', num_edit: 1 },
    };
    await postSigned(url, JSON.stringify(payload));
    expect(calls).toHaveLength(0);
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('does not count delivery and read receipts', async () => {
    const url = await start();
    const reply = await postSigned(url, fixture('messenger/delivery-read.json'));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(calls).toHaveLength(0);
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('ends the session with handoff when thread control passes to another app', async () => {
    const url = await start();
    await postSigned(url, fixture('messenger/message.json'));
    await postSigned(url, fixture('messenger/pass-thread-control.json'));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'handoff', conversationId: FACEBOOK.conversationId });
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('does not end the session when thread control passes back to this app (appId)', async () => {
    const url = await start({ appId: '263902037430900' });
    await postSigned(url, fixture('messenger/message.json'));
    await postSigned(url, fixture('messenger/pass-thread-control.json'));
    expect(ended).toHaveLength(0);
    expect(await tracker.get(FACEBOOK)).toMatchObject({ status: 'active' });
  });

  it('ends the session with handoff when another app takes thread control', async () => {
    const url = await start({ appId: '1517776481860111' });
    await postSigned(url, fixture('messenger/message.json'));
    await postSigned(url, fixture('messenger/take-thread-control.json'));
    expect(ended.map((session) => session.endReason)).toEqual(['handoff']);
  });

  it('ignores standby messages: another app owns the thread', async () => {
    const url = await start();
    const reply = await postSigned(url, fixture('messenger/standby.json'));
    expect(reply.status).toBe(200);
    expect(calls).toHaveLength(0);
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('tracks every item of a batched payload in order', async () => {
    const url = await start();
    const batch = JSON.parse(fixture('messenger/message.json'));
    const echo = JSON.parse(fixture('messenger/echo.json'));
    const postback = JSON.parse(fixture('messenger/postback.json'));
    batch.entry.push(echo.entry[0], postback.entry[0]);
    await postSigned(url, JSON.stringify(batch));
    expect(calls.map((call) => call.event.kind)).toEqual(['message', 'postback']);
    expect(await tracker.get(FACEBOOK)).toMatchObject({ userMessages: 2, botMessages: 1 });
  });

  it('ends a facebook session by inactivity through the core policy', async () => {
    await tracker.close();
    tracker = createSessionTracker({ channels: { facebook: { inactivityTimeoutMs: 300 } } });
    const sessionEnded = new Promise<Session>((resolve) => tracker.on('sessionEnd', resolve));
    const url = await start();
    await postSigned(url, fixture('messenger/message.json'));
    const session = await sessionEnded;
    expect(session.endReason).toBe('inactivity');
    expect(session.endedAt).toBe(session.lastUserMessageAt! + 300);
  });
});

describe('Instagram (object: instagram)', () => {
  it('stamps a DM on the instagram channel as ig-account:igsid', async () => {
    const url = await start();
    await postSigned(url, fixture('instagram/message.json'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.event).toMatchObject({ channel: 'instagram', kind: 'message' });
    expect(refOf(calls[0]!.event)).toEqual(INSTAGRAM);
    expect(calls[0]!.stamp?.session.channel).toBe('instagram');
  });

  it('counts the account echo as outbound', async () => {
    const url = await start();
    await postSigned(url, fixture('instagram/message.json'));
    await postSigned(url, fixture('instagram/echo.json'));
    expect(calls).toHaveLength(1);
    expect(await tracker.get(INSTAGRAM)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('does not count an unsent (deleted) message', async () => {
    const url = await start();
    const payload = JSON.parse(fixture('instagram/message.json'));
    payload.entry[0].messaging[0].message = { mid: 'aWdfZAG1', is_deleted: true };
    await postSigned(url, JSON.stringify(payload));
    expect(calls).toHaveLength(0);
    expect(await tracker.get(INSTAGRAM)).toBeUndefined();
  });
});
