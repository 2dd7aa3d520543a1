import { getSession } from '@botsession/agents';
import type { SessionStamp } from '@botsession/core';
import { Activity } from '@microsoft/agents-activity';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, type HarnessOptions, startHarness } from './harness.js';

const WEB = { channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' };
const TEAMS = {
  channel: 'teams',
  conversationId: 'a:1pL6i0oY3C0K8oAj8L9CZ2kXsJPzt3mPJx4r5xRk0QyOvWfAr2W6nL8D8Q',
};

let h: Harness;
let stamps: Array<SessionStamp | undefined>;

async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  stamps = [];
  h.logic = async (context) => {
    stamps.push(getSession(context));
  };
  return h;
}

afterEach(() => h.close());

describe('inbound activities', () => {
  it('counts a Teams message on the teams channel (24 h policy) and gives the handler its stamp', async () => {
    await start();
    const response = await h.deliver('msteams-message');

    expect(response.status).toBe(200);
    expect(stamps[0]).toMatchObject({ isNew: true, redelivered: false });
    expect(stamps[0]?.session).toMatchObject({
      channel: 'teams',
      conversationId: TEAMS.conversationId,
      userId: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw',
      userMessages: 1,
    });
    const session = stamps[0]!.session;
    expect(session.expiresAt - session.lastUserMessageAt!).toBe(24 * 3_600_000);
    expect((await h.tracker.get(TEAMS))?.id).toBe(stamps[0]?.sessionId);
  });

  it('counts a Web Chat message, button postBacks and attachments as user messages of one session', async () => {
    await start();
    await h.deliver('webchat-message');
    await h.deliver('webchat-postback');
    await h.deliver('webchat-attachment');

    expect(stamps.map((s) => s?.isNew)).toEqual([true, false, false]);
    expect(new Set(stamps.map((s) => s?.sessionId)).size).toBe(1);
    expect((await h.tracker.get(WEB))?.userMessages).toBe(3);
  });

  it('counts an Adaptive Card Action.Execute and a Teams dialog submit as user interactions', async () => {
    await start();
    h.logic = async (context) => {
      stamps.push(getSession(context));
      // An invoke expects an invoke response; the SDK answers 501 without one.
      await context.sendActivity(
        Activity.fromObject({ type: 'invokeResponse', value: { status: 200, body: {} } }),
      );
    };
    const action = await h.deliver('adaptive-card-action-invoke');
    const submit = await h.deliver('msteams-task-submit');

    expect([action.status, submit.status]).toEqual([200, 200]);
    expect(stamps.map((s) => s?.isNew)).toEqual([true, false]);
    expect(await h.tracker.get(TEAMS)).toMatchObject({ userMessages: 2, botMessages: 0 });
  });

  it('does not count conversationUpdate, typing, installationUpdate, reactions, edits or a message-extension search', async () => {
    await start();
    for (const name of [
      'webchat-conversation-update',
      'webchat-typing',
      'msteams-installation-update',
      'msteams-conversation-update',
      'msteams-message-reaction',
      'msteams-message-update',
      'msteams-compose-extension-query',
    ]) {
      await h.deliver(name);
    }

    expect(stamps).toEqual(Array(7).fill(undefined));
    expect(h.started).toEqual([]);
    expect(await h.tracker.get(WEB)).toBeUndefined();
    expect(await h.tracker.get(TEAMS)).toBeUndefined();
  });

  it("ends the session 'closed' on a Direct Line endOfConversation, after the handler saw it", async () => {
    await start();
    await h.deliver('directline-message');
    await h.deliver('directline-end-of-conversation');

    const [first, closing] = stamps;
    expect(closing?.sessionId).toBe(first?.sessionId);
    expect(closing?.isNew).toBe(false);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ id: first?.sessionId, endReason: 'closed', interactions: 1 });
  });

  it('starts nothing on an endOfConversation with no session open', async () => {
    await start();
    await h.deliver('directline-end-of-conversation');

    expect(stamps).toEqual([undefined]);
    expect(h.started).toEqual([]);
    expect(h.ended).toEqual([]);
  });

  it('starts a new session after the channel inactivity timeout', async () => {
    await start({ channels: { web: { inactivityTimeoutMs: 300 } } });
    await h.deliver('webchat-message');
    await expect.poll(() => h.ended.length, { timeout: 5000, interval: 50 }).toBe(1);
    await h.deliver('webchat-postback');

    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
    expect(h.ended[0]).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'inactivity' });
    expect(h.ended[0]?.endedAt).toBe(h.ended[0]!.lastUserMessageAt! + 300);
  });
});
