import type { SessionStamp } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADA_CHAT,
  callbackQuery,
  chatMember,
  documentMessage,
  editedMessage,
  GROUP_CHAT,
  inlineCallbackQuery,
  inlineQuery,
  myChatMember,
  newChatMembers,
  photoMessage,
  textMessage,
} from '../../../test/support/telegram/updates.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { type Harness, startHarness } from './harness.js';

const ADA_REF = { channel: 'telegram', conversationId: String(ADA_CHAT.id), userId: '7' };

describe('inbound Telegram updates', () => {
  let h: Harness;
  let stamps: Array<SessionStamp | undefined>;

  beforeEach(async () => {
    h = await startHarness();
    stamps = [];
    h.bot.use((ctx, next) => {
      stamps.push(ctx.botSession);
      return next();
    });
  });
  afterEach(() => h.close());

  it("counts a text message as the user's interaction and stamps ctx.botSession", async () => {
    await h.deliver(textMessage('hello'));
    await h.deliver(textMessage('are you there?'));

    expect(stamps[0]?.isNew).toBe(true);
    expect(stamps[1]?.isNew).toBe(false);
    expect(stamps[1]?.sessionId).toBe(stamps[0]?.sessionId);
    expect(h.started).toHaveLength(1);
    expect(h.started[0]).toMatchObject({ channel: 'telegram', conversationId: '7', userId: '7' });
    const session = await h.tracker.get(ADA_REF);
    expect(session).toMatchObject({ id: stamps[0]?.sessionId, userMessages: 2, botMessages: 0 });
  });

  it('counts photos, documents and button presses as interactions of the same session', async () => {
    await h.deliver(textMessage('/start'));
    await h.deliver(photoMessage());
    await h.deliver(documentMessage());
    await h.deliver(callbackQuery('plan:pro'));

    expect(new Set(stamps.map((stamp) => stamp?.sessionId)).size).toBe(1);
    expect((await h.tracker.get(ADA_REF))?.userMessages).toBe(4);
  });

  it('gives a button handler the stamp of the press', async () => {
    let seen: SessionStamp | undefined;
    h.bot.action('plan:pro', async (ctx) => {
      seen = ctx.botSession;
      await ctx.answerCbQuery('Pro it is');
    });
    await h.deliver(callbackQuery('plan:pro'));

    expect(seen).toMatchObject({ isNew: true, session: { userMessages: 1, conversationId: '7' } });
    // The toast under the button is no message in the chat.
    expect(h.api.callsOf('answerCallbackQuery')).toHaveLength(1);
    expect((await h.tracker.get(ADA_REF))?.botMessages).toBe(0);
  });

  it('does not count an edit, but shows the session it belongs to', async () => {
    await h.deliver(textMessage('helo'));
    await h.deliver(editedMessage('hello'));

    expect(stamps[1]).toMatchObject({ sessionId: stamps[0]?.sessionId, isNew: false });
    expect((await h.tracker.get(ADA_REF))?.interactions).toBe(1);
  });

  it('starts no session for an edit in a chat without one', async () => {
    await h.deliver(editedMessage('hello'));

    expect(stamps).toEqual([undefined]);
    expect(h.started).toHaveLength(0);
  });

  it('does not count membership updates or service messages', async () => {
    await h.deliver(myChatMember('member'));
    await h.deliver(chatMember());
    await h.deliver(newChatMembers());
    await h.deliver(myChatMember('kicked'));

    expect(stamps).toEqual([undefined, undefined, undefined, undefined]);
    expect(h.started).toHaveLength(0);
  });

  it('leaves updates without a chat unstamped: inline queries, inline-mode buttons', async () => {
    await h.deliver(inlineQuery('weather'));
    await h.deliver(inlineCallbackQuery('vote:yes'));

    expect(stamps).toEqual([undefined, undefined]);
    expect(h.started).toHaveLength(0);
  });

  it('tracks a group chat as one conversation with the sender as user', async () => {
    await h.deliver(textMessage('hi all', GROUP_CHAT));

    expect(h.started[0]).toMatchObject({ conversationId: '-1001234567890', userId: '7' });
  });
});

describe('inbound with the session store down', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('still runs the handler, without a stamp, and the tracker emits error', async () => {
    h = await startHarness({ backend: unavailableBackend() });
    const seen: Array<SessionStamp | undefined | 'not run'> = ['not run'];
    h.bot.on('text', async (ctx) => {
      seen[0] = ctx.botSession;
      await ctx.reply('still here');
    });
    await h.deliver(textMessage('hello'));

    expect(seen[0]).toBeUndefined();
    expect(h.api.callsOf('sendMessage')).toHaveLength(1);
    expect(h.caught).toEqual([]);
    // One error for the inbound message, one for the reply.
    expect(h.errors.map((error) => error.name)).toEqual(['StoreUnavailableError', 'StoreUnavailableError']);
  });

  it('still runs the handler of an edit when the store cannot be read', async () => {
    h = await startHarness({ backend: unavailableBackend() });
    let ran = false;
    h.bot.on('edited_message', () => {
      ran = true;
    });
    await h.deliver(editedMessage('hello'));

    expect(ran).toBe(true);
    expect(h.errors.map((error) => error.name)).toEqual(['StoreUnavailableError']);
  });
});
