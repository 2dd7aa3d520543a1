import type { Session, SessionStamp } from '@botsession/core';
import { refOf } from '@botsession/slack';
import { describe, expect, it } from 'vitest';
import { useHarness } from './setup.js';
import { fixture, postEvent, postInteraction } from './support/slack.js';

const h = useHarness();
const general = { channel: 'slack', conversationId: 'C0GENERAL' };

describe('messages the bot posts', () => {
  it('stamps a say() reply with the session id in Slack message metadata and counts it outbound', async () => {
    const { app, start, tracker } = h.setup();
    let inbound: SessionStamp | undefined;
    app.message(async ({ context, say }) => {
      inbound = context.botSession;
      await say('Hi Alice!');
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    const [reply] = h.api.posted();
    expect(reply?.args).toMatchObject({
      channel: 'C0GENERAL',
      text: 'Hi Alice!',
      metadata: { event_type: 'botsession', event_payload: { session_id: inbound?.sessionId } },
    });
    const session = await tracker.get(general);
    expect(session).toMatchObject({
      id: inbound?.sessionId,
      userMessages: 1,
      botMessages: 1,
      interactions: 2,
    });
  });

  it('stamps client.chat.postMessage into a thread and counts it in that thread', async () => {
    const { app, start, tracker } = h.setup();
    app.message(async ({ client, message }) => {
      const ts = (message as { ts: string }).ts;
      await client.chat.postMessage({ channel: 'C0GENERAL', thread_ts: ts, text: 'In a thread' });
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    const thread = await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL:1355517523.000005' });
    expect(thread).toMatchObject({ botMessages: 1, userMessages: 0 });
    const [reply] = h.api.posted();
    expect(reply?.args.metadata).toEqual({
      event_type: 'botsession',
      event_payload: { session_id: thread?.id },
    });
    // The user's message stays in the channel's own session.
    expect(await tracker.get(general)).toMatchObject({ userMessages: 1, botMessages: 0 });
  });

  it('stamps the reply to a button click', async () => {
    const { app, start, tracker } = h.setup();
    app.action({ type: 'block_actions', action_id: 'talk_to_human' }, async ({ ack, say }) => {
      await ack();
      await say('A human will answer soon.');
    });
    const url = await start();

    await postInteraction(url, fixture('block_actions'));
    const session = await tracker.get(general);
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1 });
    expect(h.api.posted()[0]?.args.metadata?.event_payload).toEqual({ session_id: session?.id });
  });

  it('counts a welcome posted for a non-interaction as a proactive message that opens a session', async () => {
    const { app, start, tracker } = h.setup();
    app.event('member_joined_channel', async ({ say }) => {
      await say('Welcome!');
    });
    const url = await start();

    await postEvent(url, fixture('member_joined_channel'));
    const session = await tracker.get(general);
    expect(session).toMatchObject({ userMessages: 0, botMessages: 1 });
    expect(h.api.posted()[0]?.args.metadata?.event_payload).toEqual({ session_id: session?.id });
  });

  it('does not count a reply posted after a handoff in the handler, opens no session, and stamps the ended one', async () => {
    const { app, start, tracker } = h.setup();
    const started: Session[] = [];
    const ended: Session[] = [];
    tracker.on('sessionStart', (session) => {
      started.push(session);
    });
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    app.message(async (args) => {
      await tracker.handoff(refOf(args));
      await args.say('An agent will answer you here.');
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    expect(started).toHaveLength(1);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 1, botMessages: 0 });
    expect(await tracker.get(general)).toBeUndefined();
    const [reply] = h.api.posted();
    expect(reply?.args.text).toBe('An agent will answer you here.');
    expect(reply?.args.metadata?.event_payload).toEqual({ session_id: ended[0]?.id });
  });

  it("keeps a caller's own metadata and still counts the message", async () => {
    const { app, start, tracker } = h.setup();
    const own = { event_type: 'order_shipped', event_payload: { order: '42' } };
    app.message(async ({ say }) => {
      await say({ text: 'Shipped', metadata: own });
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    expect(h.api.posted()[0]?.args.metadata).toEqual(own);
    expect(await tracker.get(general)).toMatchObject({ botMessages: 1 });
  });

  it('does not stamp or count a message posted outside any request', async () => {
    const { app, start, tracker } = h.setup();
    app.message(async ({ say }) => {
      await say('in a request');
    });
    const url = await start();
    await postEvent(url, fixture('message'));

    // The pooled client the request used, reached from outside the request.
    await app.client.chat.postMessage({ channel: 'C0OTHER', text: 'from a cron job' });
    const outside = h.api.posted().find((call) => call.args.channel === 'C0OTHER');
    expect(outside?.args.metadata).toBeUndefined();
    expect(await tracker.get({ channel: 'slack', conversationId: 'C0OTHER' })).toBeUndefined();
  });

  it('gives concurrent requests each their own session id', async () => {
    const { app, start } = h.setup();
    const stamps = new Map<string, string | undefined>();
    app.message(async ({ context, say, message }) => {
      const channel = (message as { channel: string }).channel;
      stamps.set(channel, context.botSession?.sessionId);
      // Both requests are in flight before either replies.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await say(`reply in ${channel}`);
    });
    const url = await start();

    const channels = ['C0ONE', 'C0TWO', 'C0THREE'];
    await Promise.all(
      channels.map((channel, i) => {
        const body = fixture('message');
        body.event.channel = channel;
        body.event_id = `Ev0CONCURRENT${i}`;
        return postEvent(url, body);
      }),
    );
    const posted = h.api.posted();
    expect(posted).toHaveLength(3);
    for (const call of posted) {
      expect(call.args.metadata.event_payload.session_id).toBe(stamps.get(call.args.channel));
    }
    expect(new Set(stamps.values()).size).toBe(3);
  });
});
