import { BotSessionMiddleware, getSession, refOf } from '@botsession/agents';
import type { SessionStamp } from '@botsession/core';
import { Activity, ActivityTypes } from '@microsoft/agents-activity';
import { MessageFactory } from '@microsoft/agents-hosting';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, type HarnessOptions, startHarness } from './harness.js';

const WEB = { channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' };

/**
 * The handoff protocol's event with the conversation's transcript, as an agent builds it
 * (botbuilder's EventFactory.createHandoffInitiation built the same).
 * https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md
 */
function handoffInitiation(
  context: { activity: Activity },
  handoffContext: Record<string, unknown>,
): Activity {
  return Activity.fromObject({
    type: ActivityTypes.Event,
    name: 'handoff.initiate',
    value: handoffContext,
    attachments: [
      { contentType: 'application/vnd.microsoft.activities.transcript', content: [context.activity] },
    ],
  });
}

let h: Harness;
const start = async (options: HarnessOptions = {}) => {
  h = await startHarness(options);
  return h;
};
afterEach(() => h.close());

describe('outgoing activities', () => {
  it('stamps every reply with channelData.sessionId and counts messages, not typing', async () => {
    await start();
    h.logic = async (context) => {
      await context.sendActivity(new Activity(ActivityTypes.Typing));
      await context.sendActivity(MessageFactory.text('Let me check.'));
      const card = MessageFactory.text('Order A-1042 ships today.');
      card.channelData = { notification: { alert: true } };
      await context.sendActivities([card]);
    };
    await h.deliver('webchat-message');

    const session = await h.tracker.get(WEB);
    const sent = h.connector.posted.map((post) => post.activity);
    expect(sent.map((a) => a.type)).toEqual(['typing', 'message', 'message']);
    for (const activity of sent) expect(activity.channelData?.sessionId).toBe(session?.id);
    expect(sent[2]?.channelData?.notification).toEqual({ alert: true });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 2, interactions: 3 });
  });

  it('fails the turn when the connector refuses a reply: the session ends interrupted', async () => {
    await start();
    h.connector.failing = true;
    h.adapter.onTurnError = async () => {};
    h.logic = async (context) => {
      await context.sendActivity('Let me check.');
    };
    await h.deliver('webchat-message');

    // Counted as it went out (its session id rides on the activity), then ended by the failure.
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', botMessages: 1 })]);
  });

  it('opens a session with a welcome message sent on conversationUpdate, and stamps the turn with it', async () => {
    await start();
    let seen: SessionStamp | undefined;
    h.logic = async (context) => {
      if (context.activity.type === ActivityTypes.ConversationUpdate) {
        await context.sendActivity('Welcome! Ask me about your order.');
        seen = getSession(context);
      }
    };
    await h.deliver('webchat-conversation-update');

    const session = await h.tracker.get(WEB);
    expect(seen?.isNew).toBe(true);
    expect(seen?.sessionId).toBe(session?.id);
    expect(session).toMatchObject({ botMessages: 1, userMessages: 0 });
    expect(h.connector.posted[0]?.activity.channelData?.sessionId).toBe(session?.id);
  });

  it("ends the session 'handoff' when the agent sends a handoff.initiate event", async () => {
    await start();
    h.logic = async (context) => {
      await context.sendActivity('Connecting you to an agent.');
      await context.sendActivity(handoffInitiation(context, { skill: 'orders' }));
    };
    await h.deliver('webchat-message');

    const [reply, handoff] = h.connector.posted.map((post) => post.activity);
    expect(handoff).toMatchObject({ type: 'event', name: 'handoff.initiate' });
    expect(handoff?.channelData?.sessionId).toBe(reply?.channelData?.sessionId);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ id: reply?.channelData?.sessionId, endReason: 'handoff' });
  });

  it("ends the session 'handoff' on the protocol's handoff activity type too", async () => {
    await start();
    h.logic = async (context) => {
      await context.sendActivity(new Activity(ActivityTypes.Handoff));
    };
    await h.deliver('webchat-message');

    expect(h.ended.map((session) => session.endReason)).toEqual(['handoff']);
  });

  it('does not count a reply sent after the handler handed off, and opens no new session', async () => {
    await start();
    h.logic = async (context) => {
      await h.tracker.handoff(refOf(context));
      await context.sendActivity('An agent will take it from here.');
    };
    await h.deliver('webchat-message');

    const [reply] = h.connector.posted.map((post) => post.activity);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 1, botMessages: 0 });
    // The last word of the handed-off session: stamped with its id, but counted nowhere.
    expect(reply?.channelData?.sessionId).toBe(h.ended[0]?.id);
    expect(await h.tracker.get(WEB)).toBeUndefined();
  });

  it('does not count what the agent sends after its handoff event went out in the same turn', async () => {
    await start();
    h.logic = async (context) => {
      await context.sendActivity(handoffInitiation(context, {}));
      await context.sendActivity('You are now talking to an agent.');
    };
    await h.deliver('webchat-message');

    const [, after] = h.connector.posted.map((post) => post.activity);
    expect(h.started).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'handoff', botMessages: 0 });
    expect(after?.channelData?.sessionId).toBe(h.ended[0]?.id);
    expect(await h.tracker.get(WEB)).toBeUndefined();
  });

  it('keeps the session open on handoff when the channel policy says so', async () => {
    await start({ channels: { web: { endOn: { handoff: false } } } });
    h.logic = async (context) => {
      await context.sendActivity(handoffInitiation(context, {}));
    };
    await h.deliver('webchat-message');

    expect(h.ended).toEqual([]);
    expect((await h.tracker.get(WEB))?.status).toBe('active');
  });

  it('counts replies an expectReplies request gets in the HTTP answer instead of the connector', async () => {
    await start();
    h.logic = async (context) => {
      await context.sendActivity('Order A-1042 ships today.');
    };
    const response = await h.deliver('directline-message', { deliveryMode: 'expectReplies' });

    const body = (await response.json()) as { activities: Array<Partial<Activity>> };
    expect(h.connector.posted).toEqual([]);
    expect(body.activities).toHaveLength(1);
    const session = await h.tracker.get({ channel: 'web', conversationId: '8aKq1Lw2c5E-b' });
    expect(body.activities[0]?.channelData?.sessionId).toBe(session?.id);
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts a turn and its reply once when the middleware is installed twice', async () => {
    await start();
    h.adapter.use(new BotSessionMiddleware(h.tracker));
    h.logic = async (context) => {
      await context.sendActivity('once');
    };
    await h.deliver('webchat-message');

    expect(await h.tracker.get(WEB)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });
});
