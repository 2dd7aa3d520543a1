import { getSession } from '@botsession/agents';
import { type SessionStamp, StoreUnavailableError } from '@botsession/core';
import type { TurnContext } from '@microsoft/agents-hosting';
import { afterEach, describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { type Harness, type HarnessOptions, startHarness } from './harness.js';

const WEB = { channel: 'web', conversationId: 'F3Zy7Gs1mXr-a' };

let h: Harness;
const start = async (options: HarnessOptions = {}) => {
  h = await startHarness(options);
  return h;
};
afterEach(() => h.close());

describe('a failing handler', () => {
  it("ends the session 'interrupted', hands the error to onTurnError, and the next message starts a new session", async () => {
    await start();
    const stamps: Array<SessionStamp | undefined> = [];
    h.logic = async (context) => {
      stamps.push(getSession(context));
      if (context.activity.text === 'Where is my order?') throw new Error('orders API is down');
    };
    const turnErrors: unknown[] = [];
    h.adapter.onTurnError = async (context: TurnContext, error: Error) => {
      turnErrors.push(error);
      await context.sendActivity('Sorry, something went wrong.');
    };
    await h.deliver('webchat-message');

    expect(turnErrors).toEqual([new Error('orders API is down')]);
    expect(h.ended[0]).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'interrupted' });
    // The apology is the last word of the interrupted session: stamped, but it opens nothing.
    expect(h.connector.posted[0]?.activity.channelData?.sessionId).toBe(stamps[0]?.sessionId);
    expect(await h.tracker.get(WEB)).toBeUndefined();

    await h.deliver('webchat-postback');
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });

  it("runs the SDK's default onTurnError, whose messages count nowhere", async () => {
    await start();
    h.logic = async () => {
      throw new Error('orders API is down');
    };
    await h.deliver('webchat-message');

    expect(h.connector.texts()).toEqual([
      'The agent encountered an error or bug.',
      'To continue to run this agent, please fix the source code.',
    ]);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', botMessages: 0 })]);
  });

  it('lets the error propagate out of the adapter when there is no onTurnError', async () => {
    await start();
    h.adapter.onTurnError = undefined as never;
    h.logic = async () => {
      throw new TypeError('bad card');
    };
    const response = await h.deliver('webchat-message');

    expect(response.status).toBe(500);
    expect(h.ended[0]?.endReason).toBe('interrupted');
  });

  it('keeps the session when the channel policy ignores interruptions, and counts the apology', async () => {
    await start({ channels: { web: { endOn: { interruption: false } } } });
    h.logic = async () => {
      throw new Error('flaky');
    };
    h.adapter.onTurnError = async (context) => {
      await context.sendActivity('Sorry, try again.');
    };
    await h.deliver('webchat-message');

    expect(h.ended).toEqual([]);
    expect(await h.tracker.get(WEB)).toMatchObject({ status: 'active', botMessages: 1 });
  });

  it("ends the session 'interrupted' when the handler of an endOfConversation throws and closing is off", async () => {
    await start({ channels: { web: { endOn: { close: false } } } });
    h.adapter.onTurnError = async () => {};
    h.logic = async (context) => {
      if (context.activity.type === 'endOfConversation') throw new Error('goodbye card failed');
    };
    await h.deliver('directline-message');
    await h.deliver('directline-end-of-conversation');

    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
  });
});

describe('a session store that is down', () => {
  it('still runs the handler and sends replies, without a stamp, and the tracker emits error', async () => {
    await start({ backend: unavailableBackend() });
    const ran: Array<SessionStamp | undefined> = [];
    h.logic = async (context) => {
      ran.push(getSession(context));
      await context.sendActivity('Still here.');
    };
    await h.deliver('webchat-message');

    expect(ran).toEqual([undefined]);
    const [reply] = h.connector.posted.map((post) => post.activity);
    expect(reply?.text).toBe('Still here.');
    expect(reply?.channelData?.sessionId).toBeUndefined();
    expect(h.errors.length).toBeGreaterThanOrEqual(2);
    expect(h.errors.every((error) => error instanceof StoreUnavailableError)).toBe(true);
  });

  it('still hands the handler error to onTurnError when the store is down', async () => {
    await start({ backend: unavailableBackend() });
    const turnErrors: unknown[] = [];
    h.adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
    h.logic = async () => {
      throw new Error('handler failed');
    };
    await h.deliver('webchat-message');

    expect(turnErrors).toEqual([new Error('handler failed')]);
  });
});

describe('a tracker that is closed (a bug, not an outage)', () => {
  it('fails the turn instead of silently counting nothing', async () => {
    await start();
    await h.tracker.close();
    const turnErrors: unknown[] = [];
    h.adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
    let ran = false;
    h.logic = async () => {
      ran = true;
    };
    await h.deliver('webchat-message');

    expect(ran).toBe(false);
    expect(turnErrors).toHaveLength(1);
    expect(turnErrors[0]).not.toBeInstanceOf(StoreUnavailableError);
  });
});
