/**
 * A channel posts an activity again when the agent's endpoint answered with an error or timed
 * out; the activity keeps its `id`. The middleware passes that id as the delivery id.
 */
import { getSession } from '@botsession/agents';
import type { SessionStamp } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const TEAMS = {
  channel: 'teams',
  conversationId: 'a:1pL6i0oY3C0K8oAj8L9CZ2kXsJPzt3mPJx4r5xRk0QyOvWfAr2W6nL8D8Q',
};

let h: Harness;
let stamps: Array<SessionStamp | undefined>;
beforeEach(async () => {
  h = await startHarness();
  stamps = [];
});
afterEach(() => h.close());

describe('a redelivered activity (same id)', () => {
  it('counts once, still runs the handler, and stamps it redelivered with the original session', async () => {
    h.logic = async (context) => {
      stamps.push(getSession(context));
    };
    await h.deliver('msteams-message');
    await h.deliver('msteams-message');

    expect(stamps).toHaveLength(2);
    expect(stamps[0]).toMatchObject({ isNew: true, redelivered: false });
    expect(stamps[1]).toMatchObject({ sessionId: stamps[0]?.sessionId, redelivered: true });
    expect(h.started).toHaveLength(1);
    expect(await h.tracker.get(TEAMS)).toMatchObject({ userMessages: 1 });
  });

  it('counts another activity id with the same text as a new message', async () => {
    await h.deliver('msteams-message');
    await h.deliver('msteams-message', { id: '1732095500999' });

    expect(await h.tracker.get(TEAMS)).toMatchObject({ userMessages: 2 });
  });

  it('after a failure ended the session: the retry runs with the ended session, its reply counts nowhere', async () => {
    let fail = true;
    h.adapter.onTurnError = async () => {};
    h.logic = async (context) => {
      stamps.push(getSession(context));
      if (fail) throw new Error('orders API is down');
      await context.sendActivity('Order A-1042 ships today.');
    };
    await h.deliver('msteams-message');
    fail = false;
    await h.deliver('msteams-message');

    expect(stamps[1]).toMatchObject({
      sessionId: stamps[0]?.sessionId,
      redelivered: true,
      session: { status: 'ended', endReason: 'interrupted' },
    });
    expect(h.connector.texts()).toEqual(['Order A-1042 ships today.']);
    expect(h.connector.posted[0]?.activity.channelData?.sessionId).toBe(stamps[0]?.sessionId);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', botMessages: 0 })]);
  });

  it('a retry that fails again does not end the session a later message opened', async () => {
    h.adapter.onTurnError = async () => {};
    h.logic = async (context) => {
      stamps.push(getSession(context));
      if (context.activity.text === 'crash') throw new Error('flaky');
    };
    await h.deliver('msteams-message', { text: 'crash' });
    await h.deliver('msteams-message', { id: '1732095500999', text: 'hello again' });
    await h.deliver('msteams-message', { text: 'crash' });

    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
    expect(await h.tracker.get(TEAMS)).toMatchObject({ id: stamps[1]?.sessionId, status: 'active' });
  });

  it('closes once on a redelivered endOfConversation', async () => {
    await h.deliver('directline-message');
    await h.deliver('directline-end-of-conversation');
    await h.deliver('directline-message', { id: '8aKq1Lw2c5E-b|0000011', text: 'back again' });
    await h.deliver('directline-end-of-conversation');

    expect(h.ended.map((session) => session.endReason)).toEqual(['closed']);
    expect(await h.tracker.get({ channel: 'web', conversationId: '8aKq1Lw2c5E-b' })).toMatchObject({
      status: 'active',
      userMessages: 1,
    });
  });
});
