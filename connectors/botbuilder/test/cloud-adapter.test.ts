import { BotSessionMiddleware, getSession } from '@botsession/botbuilder';
import { createSessionTracker, type Session, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  EventFactory,
  TurnContext,
  type TurnContext as TurnContextType,
} from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConnectorService, startConnectorService } from './connector-service.js';
import { fixture } from './fixtures.js';

// A real CloudAdapter with no app id: Bot Framework auth is disabled, as on a local
// Emulator setup, so `processActivityDirect('', …)` runs the full turn pipeline and the
// adapter's ConnectorClient posts replies to our local Bot Connector stand-in.
let connector: ConnectorService;
let tracker: SessionTracker;
let adapter: CloudAdapter;
let ended: Session[];

beforeEach(async () => {
  connector = await startConnectorService();
  tracker = createSessionTracker();
  ended = [];
  tracker.on('sessionEnd', (session) => void ended.push(session));
  adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.use(new BotSessionMiddleware(tracker));
});

afterEach(async () => {
  await tracker.close();
  await connector.close();
});

function webchat(name: string) {
  return fixture(name, { serviceUrl: connector.url });
}

describe('CloudAdapter', () => {
  it('posts replies to the Bot Connector with channelData.sessionId of the turn', async () => {
    let seen: SessionStamp | undefined;
    await adapter.processActivityDirect('', webchat('webchat-message'), async (context) => {
      seen = getSession(context);
      await context.sendActivity('Your order ships today.');
    });

    expect(seen?.isNew).toBe(true);
    expect(connector.posted).toHaveLength(1);
    const [post] = connector.posted;
    expect(post?.path).toBe('/v3/conversations/F3Zy7Gs1mXr-a/activities/F3Zy7Gs1mXr-a%7C0000001');
    expect(post?.activity).toMatchObject({
      text: 'Your order ships today.',
      channelData: { sessionId: seen?.sessionId },
    });
    expect(seen?.session.channel).toBe('web');
    expect((await tracker.get({ channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' }))?.botMessages).toBe(1);
  });

  it("posts the handoff.initiate event with the session id and ends the session 'handoff'", async () => {
    await adapter.processActivityDirect('', webchat('webchat-message'), async (context) => {
      await context.sendActivity(EventFactory.createHandoffInitiation(context, { queue: 'orders' }));
    });

    const [post] = connector.posted;
    expect(post?.activity).toMatchObject({ type: 'event', name: 'handoff.initiate' });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'handoff', id: post?.activity.channelData?.sessionId });
  });

  it("ends the session 'interrupted' and runs onTurnError when the handler throws", async () => {
    const turnErrors: unknown[] = [];
    adapter.onTurnError = async (context: TurnContextType, error: Error) => {
      turnErrors.push(error);
      await context.sendActivity('The bot encountered an error.');
    };
    await adapter.processActivityDirect('', webchat('webchat-message'), async () => {
      throw new Error('orders API is down');
    });

    expect(turnErrors).toEqual([new Error('orders API is down')]);
    expect(ended[0]?.endReason).toBe('interrupted');
    expect(connector.posted[0]?.activity.channelData?.sessionId).toBe(ended[0]?.id);
  });

  it('counts a proactive message sent with continueConversationAsync and opens a session with it', async () => {
    const reference = TurnContext.getConversationReference(webchat('webchat-message'));
    await adapter.continueConversationAsync('', reference, async (context) => {
      await context.sendActivity('Your order has shipped.');
    });

    const session = await tracker.get({ channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' });
    expect(session).toMatchObject({ botMessages: 1, userMessages: 0 });
    expect(connector.posted[0]?.activity.channelData?.sessionId).toBe(session?.id);
  });
});

describe('redelivered activities (the channel resends the same activity id)', () => {
  it('counts the activity once and runs the turn again with the first stamp, marked redelivered', async () => {
    const stamps: Array<SessionStamp | undefined> = [];
    const handler = async (context: TurnContextType) => {
      stamps.push(getSession(context));
      await context.sendActivity('Your order ships today.');
    };
    await adapter.processActivityDirect('', webchat('webchat-message'), handler);
    await adapter.processActivityDirect('', webchat('webchat-message'), handler);

    expect(stamps.map((stamp) => stamp?.redelivered)).toEqual([false, true]);
    expect(stamps[1]?.sessionId).toBe(stamps[0]?.sessionId);
    expect(await tracker.get({ channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' })).toMatchObject({
      userMessages: 1,
      botMessages: 2,
    });
  });

  it('opens no second session after a failed turn: the retry sees the ended session', async () => {
    const started: Session[] = [];
    tracker.on('sessionStart', (session) => void started.push(session));
    adapter.onTurnError = async () => {};
    const stamps: Array<SessionStamp | undefined> = [];
    let fail = true;
    const handler = async (context: TurnContextType) => {
      stamps.push(getSession(context));
      if (fail) throw new Error('orders API is down');
      await context.sendActivity('Your order ships today.');
    };
    await adapter.processActivityDirect('', webchat('webchat-message'), handler);
    expect(ended.map((session) => session.endReason)).toEqual(['interrupted']);
    fail = false;
    await adapter.processActivityDirect('', webchat('webchat-message'), handler);

    expect(stamps[1]).toMatchObject({ redelivered: true, session: { status: 'ended' } });
    expect(started).toHaveLength(1);
    // The retry's reply is delivered, stamped with the ended session, and counted nowhere.
    expect(connector.posted.at(-1)?.activity.channelData?.sessionId).toBe(stamps[0]?.sessionId);
    expect(await tracker.get({ channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' })).toBeUndefined();
    expect(ended).toHaveLength(1);
  });
});
