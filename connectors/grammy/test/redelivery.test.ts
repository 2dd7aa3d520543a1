/**
 * Telegram delivers an update again when a webhook answered with an error or a poller restarted
 * before confirming its offset; the update keeps its `update_id`.
 * https://core.telegram.org/bots/api#getting-updates
 */
import type { SessionStamp } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA_CHAT, textMessage } from '../../../test/support/telegram/updates.js';
import { type Harness, startHarness } from './harness.js';

const ADA_REF = { channel: 'telegram', conversationId: String(ADA_CHAT.id), userId: '7' };

describe('a redelivered update (same update_id)', () => {
  let h: Harness;
  let stamps: Array<SessionStamp | undefined>;
  beforeEach(async () => {
    h = await startHarness();
    stamps = [];
  });
  afterEach(() => h.close());

  it('counts once, still runs the handler, and stamps it redelivered with the original session', async () => {
    h.bot.on('message:text', (ctx) => {
      stamps.push(ctx.botSession);
    });
    const update = textMessage('hello');
    await h.deliver(update);
    await h.deliver(structuredClone(update));

    expect(stamps).toHaveLength(2);
    expect(stamps[0]).toMatchObject({ isNew: true, redelivered: false });
    expect(stamps[1]).toMatchObject({ sessionId: stamps[0]?.sessionId, redelivered: true });
    expect(h.started).toHaveLength(1);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1 });
  });

  it('counts a new update_id with the same text as a new message', async () => {
    await h.deliver(textMessage('hello'));
    await h.deliver(textMessage('hello'));

    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 2 });
  });

  it('after a failure ended the session: the retry runs with the ended session, its reply counts nowhere', async () => {
    let fail = true;
    h.bot.on('message:text', async (ctx) => {
      stamps.push(ctx.botSession);
      if (fail) throw new Error('CRM integration failed');
      await ctx.reply('Here is your order.');
    });
    const update = textMessage('where is my order?');
    await h.deliver(update);
    fail = false;
    await h.deliver(structuredClone(update));

    expect(h.caught).toHaveLength(1);
    expect(stamps[1]).toMatchObject({
      sessionId: stamps[0]?.sessionId,
      redelivered: true,
      session: { status: 'ended', endReason: 'interrupted' },
    });
    // The reply went out but answers an ended session: no second session, nothing counted.
    expect(h.api.callsOf('sendMessage')).toHaveLength(1);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', botMessages: 0 })]);
    expect(await h.tracker.get(ADA_REF)).toBeUndefined();
  });

  it('a retry that fails again does not end the session a later message opened', async () => {
    h.bot.on('message:text', (ctx) => {
      stamps.push(ctx.botSession);
      if (ctx.message.text === 'crash') throw new Error('flaky');
    });
    const crash = textMessage('crash');
    await h.deliver(crash);
    await h.deliver(textMessage('hello again'));
    await h.deliver(structuredClone(crash));

    expect(h.caught).toHaveLength(2);
    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ id: stamps[1]?.sessionId, status: 'active' });
  });
});
