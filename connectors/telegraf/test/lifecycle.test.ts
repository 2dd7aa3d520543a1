import { ConfigError, createSessionTracker, type SessionStamp } from '@botsession/core';
import { type BotSessionContext, botSession, refOf } from '@botsession/telegraf';
import { Telegraf } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN } from '../../../test/support/telegram/fake-bot-api.js';
import {
  ADA_CHAT,
  asTelegrafUpdate,
  callbackQuery,
  editedMessage,
  inlineQuery,
  textMessage,
} from '../../../test/support/telegram/updates.js';
import { type Harness, startHarness } from './harness.js';

const ADA_REF = { channel: 'telegram', conversationId: String(ADA_CHAT.id), userId: '7' };

describe('session ends driven from a Telegraf bot', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('ends the session "interrupted" when the handler throws, and the error reaches bot.catch', async () => {
    h = await startHarness();
    const stamps: Array<SessionStamp | undefined> = [];
    h.bot.on('text', (ctx) => {
      stamps.push(ctx.botSession);
      if (ctx.message.text === 'crash') throw new Error('CRM integration failed');
    });
    await h.deliver(textMessage('crash'));

    expect(h.caught).toEqual([new Error('CRM integration failed')]);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'interrupted' });
    expect(await h.tracker.get(ADA_REF)).toBeUndefined();

    // The user's next message starts a new session.
    await h.deliver(textMessage('hello again'));
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });

  it("lets the error reach Telegraf's own handler, rejecting handleUpdate, when no bot.catch is set", async () => {
    h = await startHarness();
    const bare = new Telegraf(BOT_TOKEN, { telegram: { apiRoot: h.api.apiRoot } });
    // Telegraf's default error handler also logs and sets process.exitCode; keep the run clean.
    bare.catch((error) => {
      throw error;
    });
    bare.use(botSession(h.tracker));
    bare.on('text', async () => {
      throw new Error('boom');
    });

    await expect(bare.handleUpdate(asTelegrafUpdate(textMessage('hi')))).rejects.toThrow('boom');
    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
  });

  it("keeps the session when the channel's policy says interruptions do not end it", async () => {
    h = await startHarness({ channels: { telegram: { endOn: { interruption: false } } } });
    h.bot.on('text', () => {
      throw new Error('flaky');
    });
    await h.deliver(textMessage('hi'));

    expect(h.caught).toHaveLength(1);
    expect(h.ended).toHaveLength(0);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ status: 'active', userMessages: 1 });
  });

  it('ends the session "interrupted" when a send fails inside the handler', async () => {
    h = await startHarness();
    h.api.failing.add('sendMessage');
    h.bot.on('text', (ctx) => ctx.reply('hi'));
    await h.deliver(textMessage('hello'));

    expect(h.caught).toHaveLength(1);
    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
  });

  it('hands off through refOf(ctx)', async () => {
    h = await startHarness();
    h.bot.command('agent', async (ctx) => {
      await h.tracker.handoff(refOf(ctx));
    });
    await h.deliver(textMessage('/agent'));

    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'handoff', conversationId: '7', userId: '7' });
  });

  it('does not count a reply sent after a handoff in the handler, and opens no new session', async () => {
    h = await startHarness();
    h.bot.command('agent', async (ctx) => {
      await h.tracker.handoff(refOf(ctx));
      await ctx.reply('An agent will answer you here.');
    });
    await h.deliver(textMessage('/agent'));

    expect(h.api.callsOf('sendMessage').map((call) => call.payload.text)).toEqual([
      'An agent will answer you here.',
    ]);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 1, botMessages: 0 });
    expect(await h.tracker.get(ADA_REF)).toBeUndefined();
  });

  it("does not count bot.catch's apology after the session ended interrupted", async () => {
    h = await startHarness();
    const bot = new Telegraf<BotSessionContext>(BOT_TOKEN, { telegram: { apiRoot: h.api.apiRoot } });
    bot.catch(async (_error, ctx) => {
      await ctx.reply('Sorry, something went wrong.');
    });
    bot.use(botSession(h.tracker));
    bot.on('text', () => {
      throw new Error('CRM integration failed');
    });
    await bot.handleUpdate(asTelegrafUpdate(textMessage('crash')));

    expect(h.api.callsOf('sendMessage').map((call) => call.payload.text)).toEqual([
      'Sorry, something went wrong.',
    ]);
    expect(h.started).toHaveLength(1);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'interrupted', botMessages: 0 });
    expect(await h.tracker.get(ADA_REF)).toBeUndefined();
  });

  it('ends a survey answered by button through refOf(ctx)', async () => {
    h = await startHarness();
    h.bot.command('done', async (ctx) => {
      await ctx.reply('How did we do?');
      await h.tracker.surveySent(refOf(ctx));
    });
    h.bot.action(/^rate:/, async (ctx) => {
      await h.tracker.surveyAnswered(refOf(ctx));
    });
    await h.deliver(textMessage('/done'));
    await h.deliver(callbackQuery('rate:5'));

    expect(h.ended.map((session) => [session.endReason, session.userMessages])).toEqual([['survey', 2]]);
  });

  it("ends on inactivity counted from the user's message, by the tracker's clock", async () => {
    h = await startHarness({ channels: { telegram: { inactivityTimeoutMs: 300 } } });
    h.bot.on('text', (ctx) => ctx.reply('ok'));
    await h.deliver(textMessage('hi'));
    const userAt = h.started[0]!.lastUserMessageAt!;

    await expect.poll(() => h.ended.length, { timeout: 3000, interval: 50 }).toBe(1);
    expect(h.ended[0]).toMatchObject({ endReason: 'inactivity', endedAt: userAt + 300, botMessages: 1 });
  });

  it('tracks under the channel given in options, and refOf agrees', async () => {
    h = await startHarness({ middleware: { channel: 'telegram-support' } });
    let ref: unknown;
    h.bot.on('text', (ctx) => {
      ref = refOf(ctx);
    });
    await h.deliver(textMessage('hi'));

    expect(ref).toEqual({ channel: 'telegram-support', conversationId: '7', userId: '7' });
    expect(h.started[0]?.channel).toBe('telegram-support');
  });
});

describe('a tracker that is closed (a bug, not an outage)', () => {
  it('fails the update instead of silently counting nothing: the error reaches bot.catch', async () => {
    const h = await startHarness();
    let ran = false;
    h.bot.on('text', () => {
      ran = true;
    });
    await h.tracker.close();
    await h.deliver(textMessage('hi'));
    await h.close();

    expect(ran).toBe(false);
    expect(h.caught).toHaveLength(1);
    expect(h.caught[0]).toMatchObject({ name: 'TrackerClosedError' });
  });
});

describe('refOf', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('maps chat id to conversation and sender id to user, for edits too', async () => {
    h = await startHarness();
    const refs: unknown[] = [];
    h.bot.use((ctx) => {
      refs.push(refOf(ctx));
    });
    await h.deliver(editedMessage('x'));

    expect(refs).toEqual([ADA_REF]);
  });

  it('throws a TypeError naming the update when it has no chat', async () => {
    h = await startHarness();
    const errors: unknown[] = [];
    h.bot.on('inline_query', (ctx) => {
      try {
        refOf(ctx);
      } catch (error) {
        errors.push(error);
      }
    });
    await h.deliver(inlineQuery('weather'));

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(String(errors[0])).toMatch(/inline_query\) has no chat/);
  });
});

describe('botSession() configuration', () => {
  /** The ConfigError a call throws; fails the test when it throws nothing or something else. */
  function configErrorOf(call: () => unknown): ConfigError {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError, nothing was thrown');
  }

  it('throws a ConfigError naming the tracker when none is given', () => {
    for (const bad of [undefined, null, {}]) {
      const error = configErrorOf(() => botSession(bad as never));
      expect(error.field).toBe('tracker');
      expect(error.message).toMatch(
        /^botSession: tracker must be a session tracker from createSessionTracker\(\)/,
      );
    }
  });

  it('throws a ConfigError naming the channel when it is empty or not a string', async () => {
    const tracker = createSessionTracker();
    try {
      const empty = configErrorOf(() => botSession(tracker, { channel: '' }));
      expect(empty.field).toBe('channel');
      expect(empty.message).toBe('botSession: channel must be a non-empty string, got ""');
      expect(configErrorOf(() => botSession(tracker, { channel: 42 as never })).message).toMatch(/got 42$/);
    } finally {
      await tracker.close();
    }
  });
});
