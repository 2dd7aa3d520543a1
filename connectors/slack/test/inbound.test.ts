import type { SessionStamp } from '@botsession/core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './setup.js';
import { fixture, postEvent, postInteraction } from './support/slack.js';

const h = useHarness();

describe('inbound interactions', () => {
  it('counts a user message and puts its stamp on context.botSession', async () => {
    const { app, start, tracker } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.message(async ({ context }) => {
      seen.push(context.botSession);
    });
    const url = await start();

    const res = await postEvent(url, fixture('message'));
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.isNew).toBe(true);
    expect(seen[0]?.session).toMatchObject({
      channel: 'slack',
      conversationId: 'C0GENERAL',
      userId: 'U0ALICE',
      userMessages: 1,
      botMessages: 0,
    });
    const session = await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' });
    expect(session?.id).toBe(seen[0]?.sessionId);
  });

  it('keeps one session across the messages of a conversation', async () => {
    const { app, start } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.message(async ({ context }) => {
      seen.push(context.botSession);
    });
    const url = await start();

    const first = fixture('message');
    const second = fixture('message');
    second.event.ts = '1355517524.000006';
    second.event_id = 'Ev0SECOND';
    await postEvent(url, first);
    await postEvent(url, second);
    expect(seen.map((stamp) => stamp?.isNew)).toEqual([true, false]);
    expect(seen[1]?.sessionId).toBe(seen[0]?.sessionId);
    expect(seen[1]?.session.userMessages).toBe(2);
  });

  it('maps a message in a thread to the conversation channel:thread_ts', async () => {
    const { app, start } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.message(async ({ context }) => {
      seen.push(context.botSession);
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    await postEvent(url, fixture('message_in_thread'));
    expect(seen[0]?.session.conversationId).toBe('C0GENERAL');
    expect(seen[1]?.session.conversationId).toBe('C0GENERAL:1355517523.000005');
    expect(seen[1]?.isNew).toBe(true);
    expect(seen[1]?.sessionId).not.toBe(seen[0]?.sessionId);
  });

  it('counts an app_mention, and counts once a message Slack delivers as both message and app_mention', async () => {
    const { app, start, tracker } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.message(async ({ context }) => {
      seen.push(context.botSession);
    });
    app.event('app_mention', async ({ context }) => {
      seen.push(context.botSession);
    });
    const url = await start();

    const mention = fixture('app_mention');
    await postEvent(url, mention);
    // The same user message, delivered again through the message.channels subscription.
    const twin = fixture('message');
    twin.event.ts = mention.event.ts;
    twin.event.text = mention.event.text;
    await postEvent(url, twin);

    expect(seen).toHaveLength(2);
    expect(seen[0]?.isNew).toBe(true);
    expect(seen[1]?.sessionId).toBe(seen[0]?.sessionId);
    const session = await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' });
    expect(session?.userMessages).toBe(1);
  });

  it('counts a button click (block_actions) by the user who clicked it', async () => {
    const { app, start } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.action('talk_to_human', async ({ ack, context }) => {
      await ack();
      seen.push(context.botSession);
    });
    const url = await start();

    const res = await postInteraction(url, fixture('block_actions'));
    expect(res.status).toBe(200);
    expect(seen[0]?.session).toMatchObject({
      channel: 'slack',
      conversationId: 'C0GENERAL',
      userId: 'U0ALICE',
      userMessages: 1,
    });
  });

  it('maps a click on a message in a thread to that thread', async () => {
    const { app, start } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.action('talk_to_human', async ({ ack, context }) => {
      await ack();
      seen.push(context.botSession);
    });
    const url = await start();

    const click = fixture('block_actions');
    click.message.thread_ts = '1548261000.000100';
    click.container.thread_ts = '1548261000.000100';
    await postInteraction(url, click);
    expect(seen[0]?.session.conversationId).toBe('C0GENERAL:1548261000.000100');
  });

  it('keeps a click on a thread parent in the channel (its thread_ts is its own ts)', async () => {
    const { app, start } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.action('talk_to_human', async ({ ack, context }) => {
      await ack();
      seen.push(context.botSession);
    });
    const url = await start();

    const click = fixture('block_actions');
    click.message.thread_ts = click.message.ts;
    await postInteraction(url, click);
    expect(seen[0]?.session.conversationId).toBe('C0GENERAL');
  });
});

describe('not interactions', () => {
  for (const name of ['message_changed', 'message_deleted', 'bot_message', 'channel_join']) {
    it(`does not count a ${name} message event, and the handler still runs`, async () => {
      const { app, start, tracker } = h.setup();
      const ran: Array<unknown> = [];
      app.event('message', async ({ context }) => {
        ran.push(context.botSession);
      });
      const url = await start();

      const res = await postEvent(url, fixture(name));
      expect(res.status).toBe(200);
      expect(ran).toEqual([undefined]);
      expect(await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' })).toBeUndefined();
    });
  }

  it('does not count member_joined_channel', async () => {
    const { app, start, tracker } = h.setup();
    const ran: Array<unknown> = [];
    app.event('member_joined_channel', async ({ context }) => {
      ran.push(context.botSession);
    });
    const url = await start();

    await postEvent(url, fixture('member_joined_channel'));
    expect(ran).toEqual([undefined]);
    expect(await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' })).toBeUndefined();
  });

  it("does not count the app's own message even with Bolt's ignoreSelf off", async () => {
    const { app, start, tracker } = h.setup({ ignoreSelf: false });
    const ran: Array<unknown> = [];
    app.event('message', async ({ context }) => {
      ran.push(context.botSession);
    });
    const url = await start();

    const own = fixture('message');
    own.event.user = 'UBOT';
    await postEvent(url, own);
    expect(ran).toEqual([undefined]);
    expect(await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' })).toBeUndefined();
  });
});

describe('signatures', () => {
  it('answers 401 to a bad signature and counts nothing', async () => {
    const { app, start, tracker } = h.setup();
    let ran = false;
    app.message(async () => {
      ran = true;
    });
    const url = await start();

    const res = await postEvent(url, fixture('message'), 'not-the-signing-secret');
    expect(res.status).toBe(401);
    expect(ran).toBe(false);
    expect(await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' })).toBeUndefined();
  });

  it('answers 401 to a signed interaction with a bad signature and counts nothing', async () => {
    const { app, start, tracker } = h.setup();
    let ran = false;
    app.action('talk_to_human', async ({ ack }) => {
      await ack();
      ran = true;
    });
    const url = await start();
    const res = await postInteraction(url, fixture('block_actions'), 'not-the-signing-secret');
    expect(res.status).toBe(401);
    expect(ran).toBe(false);
    expect(await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' })).toBeUndefined();
  });
});
