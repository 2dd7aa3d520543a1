/**
 * The middleware under the SDK's own application layer, as a new Teams agent is written:
 * `AgentApplication` routes (`onMessage`, `onConversationUpdate`), `onError`, and proactive
 * messages through `adapter.continueConversation`.
 * https://learn.microsoft.com/microsoft-365/agents-sdk/agents-sdk-overview
 */
import { getSession, refOf } from '@botsession/agents';
import type { SessionStamp } from '@botsession/core';
import {
  AgentApplication,
  type CloudAdapter,
  MemoryStorage,
  type TurnState,
} from '@microsoft/agents-hosting';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const TEAMS = {
  channel: 'teams',
  conversationId: 'a:1pL6i0oY3C0K8oAj8L9CZ2kXsJPzt3mPJx4r5xRk0QyOvWfAr2W6nL8D8Q',
};
/** No `aud` claim: the adapter talks to the connector anonymously, as in local development. */
const LOCAL_IDENTITY: Parameters<CloudAdapter['continueConversation']>[0] = { appid: 'botsession-demo' };

let h: Harness;
let agent: AgentApplication<TurnState>;
let stamps: Array<SessionStamp | undefined>;

beforeEach(async () => {
  h = await startHarness();
  stamps = [];
  agent = new AgentApplication<TurnState>({ adapter: h.adapter, storage: new MemoryStorage() });
  agent.onConversationUpdate('membersAdded', async (context) => {
    await context.sendActivity('Welcome! I can track your orders.');
  });
  agent.onMessage('/agent', async (context) => {
    await h.tracker.handoff(refOf(context));
    await context.sendActivity('A person from support will answer you here.');
  });
  agent.onMessage('/crash', async () => {
    throw new Error('orders API is down');
  });
  agent.onActivity('message', async (context) => {
    stamps.push(getSession(context));
    await context.sendActivity(`Session ${getSession(context)?.sessionId}`);
  });
  agent.onError(async (context) => {
    await context.sendActivity('Sorry, something went wrong.');
  });
  h.logic = (context) => agent.run(context);
});
afterEach(() => h.close());

describe('an AgentApplication with the middleware on its adapter', () => {
  it('opens the session with its Teams welcome, and the user’s message joins it', async () => {
    await h.deliver('msteams-conversation-update');
    await h.deliver('msteams-message');

    expect(h.started).toHaveLength(1);
    expect(stamps[0]).toMatchObject({ sessionId: h.started[0]?.id, isNew: false });
    expect(await h.tracker.get(TEAMS)).toMatchObject({ userMessages: 1, botMessages: 2 });
    expect(h.connector.texts()).toEqual(['Welcome! I can track your orders.', `Session ${h.started[0]?.id}`]);
  });

  it('hands off from a route, and the reply after it counts nowhere', async () => {
    await h.deliver('msteams-message', { text: '/agent' });

    expect(h.ended).toEqual([
      expect.objectContaining({ endReason: 'handoff', userMessages: 1, botMessages: 0 }),
    ]);
    expect(await h.tracker.get(TEAMS)).toBeUndefined();
  });

  it('ends the session interrupted when a route throws, and onError’s apology counts nowhere', async () => {
    await h.deliver('msteams-message', { text: '/crash' });

    expect(h.connector.texts()).toEqual(['Sorry, something went wrong.']);
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', botMessages: 0 })]);
  });

  it('counts a proactive message sent with continueConversation and opens a session with it', async () => {
    await h.adapter.continueConversation(
      LOCAL_IDENTITY,
      h.referenceOf('msteams-message'),
      async (context) => {
        await context.sendActivity('Your order A-1042 has shipped.');
      },
    );

    const session = await h.tracker.get(TEAMS);
    expect(session).toMatchObject({ botMessages: 1, userMessages: 0 });
    expect(h.connector.posted[0]?.activity.channelData?.sessionId).toBe(session?.id);
  });

  it('ties the answer to a proactive message to the session it opened', async () => {
    await h.adapter.continueConversation(
      LOCAL_IDENTITY,
      h.referenceOf('msteams-message'),
      async (context) => {
        await context.sendActivity('Your order A-1042 has shipped.');
      },
    );
    await h.deliver('msteams-message', { text: 'thanks!' });

    expect(h.started).toHaveLength(1);
    expect(stamps[0]).toMatchObject({ isNew: false, sessionId: h.started[0]?.id });
    expect(await h.tracker.get(TEAMS)).toMatchObject({ userMessages: 1, botMessages: 2 });
  });
});
