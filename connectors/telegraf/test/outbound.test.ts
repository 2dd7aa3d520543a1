import type { SessionStamp } from '@botsession/core';
import { botSession, trackOutgoing } from '@botsession/telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA_CHAT, myChatMember, textMessage } from '../../../test/support/telegram/updates.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { type Harness, startHarness } from './harness.js';

const ADA_REF = { channel: 'telegram', conversationId: String(ADA_CHAT.id), userId: '7' };
const PHOTO_ID = 'AgACAgQAAxkBAAIBZ3';
const DOCUMENT_ID = 'BQACAgQAAxkBAAIBaG';

describe('outgoing messages during an update', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('still sends when counting fails for a reason other than an outage, and says so on console.error', async () => {
    h.bot.on('text', async (ctx) => {
      await h.tracker.close(); // a bug in the bot, not an outage
      await ctx.reply('still delivered');
    });
    const logged: unknown[][] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      await h.deliver(textMessage('hi'));
    } finally {
      console.error = log;
    }
    expect(h.api.callsOf('sendMessage').map((call) => call.payload.text)).toEqual(['still delivered']);
    expect(h.caught).toEqual([]);
    expect(logged).toHaveLength(1);
    expect(String(logged[0]![0])).toContain('[botsession/telegraf] counting a sent message failed');
    expect(logged[0]![1]).toMatchObject({ name: 'TrackerClosedError' });
  });

  it('counts every message the bot sends: reply, sendMessage, photo, document, copy, forward', async () => {
    h.bot.on('text', async (ctx) => {
      await ctx.reply('one');
      await ctx.telegram.sendMessage(ctx.chat.id, 'two');
      await ctx.replyWithPhoto(PHOTO_ID);
      await ctx.telegram.sendDocument(ctx.chat.id, DOCUMENT_ID);
      await ctx.copyMessage(ctx.chat.id);
      await ctx.forwardMessage(ctx.chat.id);
    });
    await h.deliver(textMessage('send me everything'));

    const session = await h.tracker.get(ADA_REF);
    expect(session).toMatchObject({ userMessages: 1, botMessages: 6, interactions: 7 });
    expect(h.api.calls.map((call) => call.method)).toEqual([
      'getMe',
      'sendMessage',
      'sendMessage',
      'sendPhoto',
      'sendDocument',
      'copyMessage',
      'forwardMessage',
    ]);
  });

  it('does not count "typing…", callback toasts, edits or deletions', async () => {
    h.bot.on('text', async (ctx) => {
      await ctx.sendChatAction('typing');
      const sent = await ctx.reply('draft');
      await ctx.telegram.editMessageText(ctx.chat.id, sent.message_id, undefined, 'final');
      await ctx.telegram.deleteMessage(ctx.chat.id, sent.message_id);
    });
    await h.deliver(textMessage('hi'));

    expect((await h.tracker.get(ADA_REF))?.botMessages).toBe(1);
    expect(h.api.callsOf('sendChatAction')).toHaveLength(1);
  });

  it('does not count a send that Telegram refused', async () => {
    h.api.failing.add('sendMessage');
    h.bot.on('text', async (ctx) => {
      await ctx.reply('hello?').catch(() => undefined);
    });
    await h.deliver(textMessage('hi'));

    expect((await h.tracker.get(ADA_REF))?.botMessages).toBe(0);
  });

  it("counts a message to another chat in that chat's conversation", async () => {
    h.bot.command('escalate', async (ctx) => {
      await ctx.telegram.sendMessage(-1009999, `Ada needs help (session ${ctx.botSession?.sessionId})`);
    });
    await h.deliver(textMessage('/escalate'));

    expect((await h.tracker.get(ADA_REF))?.botMessages).toBe(0);
    const staff = await h.tracker.get({ channel: 'telegram', conversationId: '-1009999' });
    expect(staff).toMatchObject({ botMessages: 1, userMessages: 0 });
    expect(staff?.userId).toBeUndefined();
  });

  it("stamps a non-interaction update with the session the bot's own message opens", async () => {
    let after: SessionStamp | undefined;
    let before: SessionStamp | undefined | 'unset' = 'unset';
    h.bot.on('my_chat_member', async (ctx) => {
      before = ctx.botSession;
      await ctx.telegram.sendMessage(ctx.chat.id, 'Thanks for adding me!');
      after = ctx.botSession;
    });
    await h.deliver(myChatMember('member'));

    expect(before).toBeUndefined();
    expect(after).toMatchObject({ isNew: true, session: { botMessages: 1, userMessages: 0 } });
    expect(h.started).toHaveLength(1);
  });

  it('keeps the inbound stamp on ctx.botSession after the bot replies', async () => {
    let stampAfterReply: SessionStamp | undefined;
    h.bot.on('text', async (ctx) => {
      await ctx.reply('hi');
      stampAfterReply = ctx.botSession;
    });
    await h.deliver(textMessage('hello'));

    expect(stampAfterReply).toMatchObject({ isNew: true, session: { userMessages: 1 } });
  });

  it('intercepts sends for the update being handled only, even when updates overlap', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.bot.on('text', async (ctx) => {
      if (ctx.message.text === 'slow') await gate;
      await ctx.reply(`echo ${ctx.message.text}`);
    });
    const slow = h.deliver(textMessage('slow', { id: 7 }));
    await h.deliver(textMessage('fast', { id: 8 }));
    release();
    await slow;

    expect((await h.tracker.get({ channel: 'telegram', conversationId: '7' }))?.botMessages).toBe(1);
    expect((await h.tracker.get({ channel: 'telegram', conversationId: '8' }))?.botMessages).toBe(1);
    // The bot's shared Telegram instance was never wrapped: sends outside updates stay uncounted.
    expect(Object.hasOwn(h.bot.telegram, 'callApi')).toBe(false);
  });

  it('counts an update and its reply once when the middleware is installed twice', async () => {
    h.bot.use(botSession(h.tracker));
    h.bot.on('text', (ctx) => ctx.reply('once'));
    await h.deliver(textMessage('hi'));

    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts proactive sends through bot.telegram with trackOutgoing()', async () => {
    trackOutgoing(h.bot.telegram, h.tracker);
    await h.bot.telegram.sendMessage(7, 'Your order has shipped');

    expect(h.started).toHaveLength(1);
    expect(h.started[0]).toMatchObject({ conversationId: '7', botMessages: 1, userMessages: 0 });
  });
});

describe('outgoing with the session store down', () => {
  it('delivers the reply and counts nothing', async () => {
    const h = await startHarness({ backend: unavailableBackend() });
    try {
      trackOutgoing(h.bot.telegram, h.tracker);
      const sent = await h.bot.telegram.sendMessage(7, 'proactive');
      expect(sent.message_id).toBeGreaterThan(0);
      expect(h.errors).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
