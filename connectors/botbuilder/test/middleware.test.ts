import { BotSessionMiddleware, getSession, refOf } from '@botsession/botbuilder';
import {
  type ChannelPolicyOverride,
  ConfigError,
  createSessionTracker,
  type Session,
  type SessionStamp,
  type SessionTracker,
  StoreUnavailableError,
} from '@botsession/core';
import {
  type Activity,
  ActivityTypes,
  EventFactory,
  MessageFactory,
  TestAdapter,
  type TurnContext,
} from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { fixture } from './fixtures.js';

type Handler = (context: TurnContext) => Promise<void>;

let tracker: SessionTracker | undefined;

afterEach(async () => {
  await tracker?.close();
  tracker = undefined;
});

/** A real TestAdapter with the middleware installed, and what the tracker reported. */
function setup(
  handler: Handler,
  options: { channels?: Record<string, ChannelPolicyOverride>; map?: Record<string, string> } = {},
) {
  tracker = createSessionTracker({ channels: options.channels });
  const ended: Session[] = [];
  const started: Session[] = [];
  const errors: Error[] = [];
  tracker.on('sessionEnd', (session) => void ended.push(session));
  tracker.on('sessionStart', (session) => void started.push(session));
  tracker.on('error', (error) => void errors.push(error));
  const adapter = new TestAdapter(handler);
  adapter.use(new BotSessionMiddleware(tracker, options.map ? { channels: options.map } : {}));
  return { adapter, tracker, ended, started, errors };
}

const WEB = { channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' };

describe('inbound activities', () => {
  it('counts a Web Chat message on the web channel and gives the handler its stamp', async () => {
    let seen: SessionStamp | undefined;
    const { adapter, tracker } = setup(async (context) => {
      seen = getSession(context);
    });
    await adapter.processActivity(fixture('webchat-message'));

    expect(seen?.isNew).toBe(true);
    expect(seen?.session).toMatchObject({
      channel: 'web',
      conversationId: 'F3Zy7Gs1mXr-a',
      userId: 'dl_8f2c1e0b-1a7d-4e52-9f3b-6d0c2a91e4aa',
      userMessages: 1,
    });
    expect((await tracker.get(WEB))?.id).toBe(seen?.sessionId);
  });

  it('counts button postBacks and attachments as user messages of the same session', async () => {
    const stamps: Array<SessionStamp | undefined> = [];
    const { adapter, tracker } = setup(async (context) => {
      stamps.push(getSession(context));
    });
    await adapter.processActivity(fixture('webchat-message'));
    await adapter.processActivity(fixture('webchat-postback'));
    await adapter.processActivity(fixture('webchat-attachment'));

    expect(stamps.map((s) => s?.isNew)).toEqual([true, false, false]);
    expect(new Set(stamps.map((s) => s?.sessionId)).size).toBe(1);
    expect((await tracker.get(WEB))?.userMessages).toBe(3);
  });

  it('counts an Adaptive Card Action.Execute invoke as a user interaction', async () => {
    let seen: SessionStamp | undefined;
    const { adapter } = setup(async (context) => {
      seen = getSession(context);
    });
    await adapter.processActivity(fixture('adaptive-card-action-invoke'));
    expect(seen?.session).toMatchObject({ channel: 'msteams', userMessages: 1 });
  });

  it('does not count conversationUpdate or typing activities', async () => {
    const stamps: Array<SessionStamp | undefined> = [];
    const { adapter, tracker, started } = setup(async (context) => {
      stamps.push(getSession(context));
    });
    await adapter.processActivity(fixture('webchat-conversation-update'));
    await adapter.processActivity(fixture('webchat-typing'));

    expect(stamps).toEqual([undefined, undefined]);
    expect(started).toEqual([]);
    expect(await tracker.get(WEB)).toBeUndefined();
  });

  it("ends the session 'closed' on a Direct Line endOfConversation, after the handler saw it", async () => {
    const stamps: Array<SessionStamp | undefined> = [];
    const { adapter, ended } = setup(async (context) => {
      stamps.push(getSession(context));
    });
    await adapter.processActivity(fixture('directline-message'));
    await adapter.processActivity(fixture('directline-end-of-conversation'));

    const [first, closing] = stamps;
    expect(closing?.sessionId).toBe(first?.sessionId);
    expect(closing?.isNew).toBe(false);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: first?.sessionId, endReason: 'closed', interactions: 1 });
  });

  it('starts a new session after the channel inactivity timeout', async () => {
    const stamps: Array<SessionStamp | undefined> = [];
    const { adapter, ended } = setup(
      async (context) => {
        stamps.push(getSession(context));
      },
      { channels: { web: { inactivityTimeoutMs: 300 } } },
    );
    await adapter.processActivity(fixture('webchat-message'));
    await new Promise((resolve) => setTimeout(resolve, 450));
    await adapter.processActivity(fixture('webchat-postback'));

    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
    expect(ended[0]).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'inactivity' });
  });
});

describe('outgoing activities', () => {
  it('stamps every reply with channelData.sessionId and counts messages, not typing', async () => {
    const { adapter, tracker } = setup(async (context) => {
      await context.sendActivity({ type: ActivityTypes.Typing });
      await context.sendActivity(MessageFactory.text('Let me check.'));
      const card = MessageFactory.text('Order A-1042 ships today.');
      card.channelData = { notification: { alert: true } };
      await context.sendActivities([card]);
    });
    await adapter.processActivity(fixture('webchat-message'));

    const session = await tracker.get(WEB);
    const sent = adapter.activeQueue.splice(0);
    expect(sent.map((a) => a.type)).toEqual(['typing', 'message', 'message']);
    for (const activity of sent) expect(activity.channelData?.sessionId).toBe(session?.id);
    expect(sent[2]?.channelData?.notification).toEqual({ alert: true });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 2, interactions: 3 });
  });

  it('opens a session with a welcome message sent on conversationUpdate, and stamps the turn with it', async () => {
    let seen: SessionStamp | undefined;
    const { adapter, tracker } = setup(async (context) => {
      if (context.activity.type === ActivityTypes.ConversationUpdate) {
        await context.sendActivity('Welcome! Ask me about your order.');
        seen = getSession(context);
      }
    });
    await adapter.processActivity(fixture('webchat-conversation-update'));

    const session = await tracker.get(WEB);
    expect(seen?.isNew).toBe(true);
    expect(seen?.sessionId).toBe(session?.id);
    expect(session).toMatchObject({ botMessages: 1, userMessages: 0 });
    expect(adapter.activeQueue[0]?.channelData?.sessionId).toBe(session?.id);
  });

  it("ends the session 'handoff' when the bot sends EventFactory.createHandoffInitiation", async () => {
    const { adapter, ended } = setup(async (context) => {
      await context.sendActivity('Connecting you to an agent.');
      await context.sendActivity(EventFactory.createHandoffInitiation(context, { skill: 'orders' }));
    });
    await adapter.processActivity(fixture('webchat-message'));

    const [reply, handoff] = adapter.activeQueue.splice(0);
    expect(handoff).toMatchObject({ type: 'event', name: 'handoff.initiate' });
    expect(handoff?.channelData?.sessionId).toBe(reply?.channelData?.sessionId);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: reply?.channelData?.sessionId, endReason: 'handoff' });
  });

  it('does not count a reply sent after the handler handed off, and opens no new session', async () => {
    const { adapter, tracker, started, ended } = setup(async (context) => {
      await tracker.handoff(refOf(context));
      await context.sendActivity('An agent will take it from here.');
    });
    await adapter.processActivity(fixture('webchat-message'));

    const [reply] = adapter.activeQueue.splice(0);
    expect(started).toHaveLength(1);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 1, botMessages: 0 });
    // The last word of the handed-off session: stamped with its id, but counted nowhere.
    expect(reply?.channelData?.sessionId).toBe(ended[0]?.id);
    expect(await tracker.get(WEB)).toBeUndefined();
  });

  it('does not count what the bot sends after its handoff event went out in the same turn', async () => {
    const { adapter, tracker, started, ended } = setup(async (context) => {
      await context.sendActivity(EventFactory.createHandoffInitiation(context, {}));
      await context.sendActivity('You are now talking to an agent.');
    });
    await adapter.processActivity(fixture('webchat-message'));

    const [, after] = adapter.activeQueue.splice(0);
    expect(started).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'handoff', botMessages: 0 });
    expect(after?.channelData?.sessionId).toBe(ended[0]?.id);
    expect(await tracker.get(WEB)).toBeUndefined();
  });

  it('keeps the session open on handoff when the channel policy says so', async () => {
    const { adapter, tracker, ended } = setup(
      async (context) => {
        await context.sendActivity(EventFactory.createHandoffInitiation(context, {}));
      },
      { channels: { web: { endOn: { handoff: false } } } },
    );
    await adapter.processActivity(fixture('webchat-message'));
    expect(ended).toEqual([]);
    expect((await tracker.get(WEB))?.status).toBe('active');
  });
});

describe('a failing handler', () => {
  it("ends the session 'interrupted', hands the error to onTurnError, and the next message starts a new session", async () => {
    const stamps: Array<SessionStamp | undefined> = [];
    const { adapter, tracker, ended } = setup(async (context) => {
      stamps.push(getSession(context));
      if (context.activity.text === 'Where is my order?') throw new Error('orders API is down');
    });
    const turnErrors: unknown[] = [];
    adapter.onTurnError = async (context, error) => {
      turnErrors.push(error);
      await context.sendActivity('Sorry, something went wrong.');
    };
    await adapter.processActivity(fixture('webchat-message'));

    expect(turnErrors).toEqual([new Error('orders API is down')]);
    expect(ended[0]).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'interrupted' });
    // The apology is the last word of the interrupted session: stamped, but it opens nothing.
    expect(adapter.activeQueue.splice(0)[0]?.channelData?.sessionId).toBe(stamps[0]?.sessionId);
    expect(await tracker.get(WEB)).toBeUndefined();

    await adapter.processActivity(fixture('webchat-postback'));
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });

  it('lets the error propagate out of the adapter when there is no onTurnError', async () => {
    const { adapter, ended } = setup(async () => {
      throw new TypeError('bad card');
    });
    await expect(adapter.processActivity(fixture('webchat-message'))).rejects.toThrow('bad card');
    expect(ended[0]?.endReason).toBe('interrupted');
  });

  it('keeps the session when the channel policy ignores interruptions, and counts the apology', async () => {
    const { adapter, tracker, ended } = setup(
      async () => {
        throw new Error('flaky');
      },
      { channels: { web: { endOn: { interruption: false } } } },
    );
    adapter.onTurnError = async (context) => {
      await context.sendActivity('Sorry, try again.');
    };
    await adapter.processActivity(fixture('webchat-message'));
    expect(ended).toEqual([]);
    expect(await tracker.get(WEB)).toMatchObject({ status: 'active', botMessages: 1 });
  });
});

describe('a session store that is down', () => {
  it('still runs the handler and sends replies, without a stamp, and the tracker emits error', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    const errors: Error[] = [];
    tracker.on('error', (error) => void errors.push(error));
    const adapter = new TestAdapter(async (context) => {
      ran.push(getSession(context));
      await context.sendActivity('Still here.');
    });
    const ran: Array<SessionStamp | undefined> = [];
    adapter.use(new BotSessionMiddleware(tracker));
    await adapter.processActivity(fixture('webchat-message'));

    expect(ran).toEqual([undefined]);
    const [reply] = adapter.activeQueue.splice(0);
    expect(reply?.text).toBe('Still here.');
    expect(reply?.channelData?.sessionId).toBeUndefined();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((error) => error instanceof StoreUnavailableError)).toBe(true);
  });

  it('still propagates the handler error when the store is down', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    tracker.on('error', () => {});
    const adapter = new TestAdapter(async () => {
      throw new Error('handler failed');
    });
    adapter.use(new BotSessionMiddleware(tracker));
    await expect(adapter.processActivity(fixture('webchat-message'))).rejects.toThrow('handler failed');
  });
});

describe('channels', () => {
  async function channelOfTurn(activity: Partial<Activity>, map?: Record<string, string>) {
    let seen: SessionStamp | undefined;
    const { adapter } = setup(
      async (context) => {
        seen = getSession(context);
      },
      map ? { map } : {},
    );
    await adapter.processActivity(activity);
    await tracker?.close();
    return seen?.session.channel;
  }

  it('maps webchat and directline to web, sms and twilio-sms to sms, keeps telegram, facebook and slack', async () => {
    expect(await channelOfTurn(fixture('webchat-message'))).toBe('web');
    expect(await channelOfTurn(fixture('directline-message'))).toBe('web');
    expect(await channelOfTurn(fixture('telegram-message'))).toBe('telegram');
    for (const channelId of ['facebook', 'slack']) {
      expect(await channelOfTurn(fixture('directline-message', { channelId }))).toBe(channelId);
    }
    for (const channelId of ['sms', 'twilio-sms']) {
      expect(await channelOfTurn(fixture('directline-message', { channelId }))).toBe('sms');
    }
  });

  it('passes other channel ids through (default policy) unless options.channels maps them', async () => {
    expect(await channelOfTurn(fixture('msteams-message'))).toBe('msteams');
    expect(await channelOfTurn(fixture('msteams-message'), { msteams: 'teams' })).toBe('teams');
    expect(await channelOfTurn(fixture('webchat-message'), { webchat: 'messaging-api' })).toBe(
      'messaging-api',
    );
  });

  it('applies the mapped channel policy: telegram keeps a session for 24 h, not 5 min', async () => {
    let seen: SessionStamp | undefined;
    const { adapter } = setup(async (context) => {
      seen = getSession(context);
    });
    await adapter.processActivity(fixture('telegram-message'));
    const session = seen?.session;
    expect((session?.expiresAt ?? 0) - (session?.lastUserMessageAt ?? 0)).toBe(24 * 3_600_000);
  });
});

describe('refOf', () => {
  it('gives handlers the mapped ref for any tracker call', async () => {
    const { adapter, tracker } = setup(
      async (context) => {
        expect(refOf(context)).toEqual({
          channel: 'teams',
          conversationId: context.activity.conversation.id,
          userId: context.activity.from.id,
        });
        await tracker.surveySent(refOf(context));
      },
      { map: { msteams: 'teams' } },
    );
    await adapter.processActivity(fixture('msteams-message'));
    const ref = { channel: 'teams', conversationId: fixture('msteams-message').conversation.id };
    expect((await tracker.get(ref))?.surveySentAt).toBeTypeOf('number');
  });

  it('maps a bare activity with the built-in channel map', () => {
    expect(refOf(fixture('telegram-message'))).toEqual({
      channel: 'telegram',
      conversationId: '424242424',
      userId: '424242424',
    });
  });

  it('names the missing field of an activity without a conversation', () => {
    expect(() => refOf({ type: 'message', channelId: 'webchat' })).toThrow(/activity\.conversation\.id/);
  });
});

describe('configuration', () => {
  it('throws a ConfigError naming a bad channels entry', () => {
    tracker = createSessionTracker();
    const bad = () => new BotSessionMiddleware(tracker!, { channels: { msteams: '' } });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/channels\.msteams must be a non-empty botsession channel id, got ""/);
  });

  it('throws a ConfigError for an unknown option and for a missing tracker', () => {
    tracker = createSessionTracker();
    const unknown = { channel: { msteams: 'teams' } } as never;
    expect(() => new BotSessionMiddleware(tracker!, unknown)).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'channel' }),
    );
    expect(() => new BotSessionMiddleware(undefined as never)).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'tracker' }),
    );
  });
});
