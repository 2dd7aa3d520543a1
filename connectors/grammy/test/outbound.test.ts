import type { SessionStamp } from '@botsession/core';
import { botSession, trackOutgoing } from '@botsession/grammy';
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

  it('counts every message the bot sends: reply, sendMessage, photo, document, copy, forward', async () => {
    h.bot.on('message:text', async (ctx) => {
      await ctx.reply('one');
      await ctx.api.sendMessage(ctx.chat.id, 'two');
      await ctx.replyWithPhoto(PHOTO_ID);
      await ctx.api.sendDocument(ctx.chat.id, DOCUMENT_ID);
      await ctx.copyMessage(ctx.chat.id);
      await ctx.forwardMessage(ctx.chat.id);
    });
    await h.deliver(textMessage('send me everything'));

    expect(h.caught).toEqual([]);
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
    h.bot.on('message:text', async (ctx) => {
      await ctx.replyWithChatAction('typing');
      const sent = await ctx.reply('draft');
      await ctx.api.editMessageText(ctx.chat.id, sent.message_id, 'final');
      await ctx.api.deleteMessage(ctx.chat.id, sent.message_id);
    });
    await h.deliver(textMessage('hi'));

    expect(h.caught).toEqual([]);
    expect((await h.tracker.get(ADA_REF))?.botMessages).toBe(1);
    expect(h.api.callsOf('sendChatAction')).toHaveLength(1);
    expect(h.api.callsOf('deleteMessage')).toHaveLength(1);
  });

  it('does not count a send that Telegram refused', async () => {
    h.api.failing.add('sendMessage');
    let refused: unknown;
    h.bot.on('message:text', async (ctx) => {
      await ctx.reply('hello?').catch((error: unknown) => {
        refused = error;
      });
    });
    await h.deliver(textMessage('hi'));

    expect(refused).toMatchObject({ name: 'GrammyError', error_code: 403 });
    expect((await h.tracker.get(ADA_REF))?.botMessages).toBe(0);
  });

  it("counts a message to another chat in that chat's conversation", async () => {
    h.bot.command('escalate', async (ctx) => {
      await ctx.api.sendMessage(-1009999, `Ada needs help (session ${ctx.botSession?.sessionId})`);
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
      await ctx.api.sendMessage(ctx.chat.id, 'Thanks for adding me!');
      after = ctx.botSession;
    });
    await h.deliver(myChatMember('member'));

    expect(before).toBeUndefined();
    expect(after).toMatchObject({ isNew: true, session: { botMessages: 1, userMessages: 0 } });
    expect(h.started).toHaveLength(1);
  });

  it('keeps the inbound stamp on ctx.botSession after the bot replies', async () => {
    let stampAfterReply: SessionStamp | undefined;
    h.bot.on('message:text', async (ctx) => {
      await ctx.reply('hi');
      stampAfterReply = ctx.botSession;
    });
    await h.deliver(textMessage('hello'));

    expect(stampAfterReply).toMatchObject({ isNew: true, session: { userMessages: 1 } });
  });

  it('counts sends of the update being handled only, even when updates overlap', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.bot.on('message:text', async (ctx) => {
      if (ctx.message.text === 'slow') await gate;
      await ctx.reply(`echo ${ctx.message.text}`);
    });
    const slow = h.deliver(textMessage('slow', { id: 7 }));
    await h.deliver(textMessage('fast', { id: 8 }));
    release();
    await slow;

    expect((await h.tracker.get({ channel: 'telegram', conversationId: '7' }))?.botMessages).toBe(1);
    expect((await h.tracker.get({ channel: 'telegram', conversationId: '8' }))?.botMessages).toBe(1);
    // bot.api got no transformer from the middleware: sends outside updates stay uncounted.
    expect(h.bot.api.config.installedTransformers()).toEqual([]);
    await h.bot.api.sendMessage(7, 'outside any update');
    expect((await h.tracker.get({ channel: 'telegram', conversationId: '7' }))?.botMessages).toBe(1);
  });

  it('counts an update and its reply once when the middleware is installed twice', async () => {
    h.bot.use(botSession(h.tracker));
    h.bot.on('message:text', (ctx) => ctx.reply('once'));
    await h.deliver(textMessage('hi'));

    expect(await h.tracker.get(ADA_REF)).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts proactive sends through bot.api with the trackOutgoing() transformer', async () => {
    h.bot.api.config.use(trackOutgoing(h.tracker));
    await h.bot.api.sendMessage(7, 'Your order has shipped');

    expect(h.started).toHaveLength(1);
    expect(h.started[0]).toMatchObject({ conversationId: '7', botMessages: 1, userMessages: 0 });
  });

  it('counts a reply once when bot.api also has trackOutgoing(), and ties it to the update', async () => {
    h.bot.api.config.use(trackOutgoing(h.tracker));
    h.bot.command('agent', async (ctx) => {
      await ctx.reply('One moment.');
      await h.tracker.handoff({ channel: 'telegram', conversationId: '7' });
      // After the handoff this answers an ended session: counted nowhere, no new session.
      await ctx.reply('A person will answer you here.');
    });
    await h.deliver(textMessage('/agent'));

    expect(h.caught).toEqual([]);
    expect(h.api.callsOf('sendMessage')).toHaveLength(2);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 1, botMessages: 1 });
    expect(await h.tracker.get(ADA_REF)).toBeUndefined();
  });
});

describe('outgoing with the session store down', () => {
  it('delivers the message and counts nothing', async () => {
    const h = await startHarness({ backend: unavailableBackend() });
    try {
      h.bot.api.config.use(trackOutgoing(h.tracker));
      const sent = await h.bot.api.sendMessage(7, 'proactive');
      expect(sent.message_id).toBeGreaterThan(0);
      expect(h.errors.map((error) => error.name)).toEqual(['StoreUnavailableError']);
    } finally {
      await h.close();
    }
  });
});
