import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN, type FakeBotApi, startFakeBotApi } from '../../../test/support/telegram/fake-bot-api.js';
import { asTelegrafUpdate, callbackQuery, textMessage } from '../../../test/support/telegram/updates.js';
import { createBot } from '../dist/bot.js';

describe('the example Telegram bot', () => {
  let api: FakeBotApi;
  let tracker: SessionTracker;
  let ended: Session[];
  let bot: ReturnType<typeof createBot>;
  const texts = () => api.callsOf('sendMessage').map((call) => String(call.payload.text));

  beforeEach(async () => {
    api = await startFakeBotApi();
    tracker = createSessionTracker();
    ended = [];
    tracker.on('sessionEnd', (session) => void ended.push(session));
    bot = createBot(BOT_TOKEN, tracker, { apiRoot: api.apiRoot });
    bot.catch(() => {});
  });
  afterEach(async () => {
    await tracker.close();
    await api.close();
  });

  it('tells the user their session, new on /start and the same on the next message', async () => {
    await bot.handleUpdate(asTelegrafUpdate(textMessage('/start')));
    await bot.handleUpdate(asTelegrafUpdate(textMessage('hello')));

    const session = await tracker.get({ channel: 'telegram', conversationId: '7', userId: '7' });
    const short = session?.id.slice(0, 8);
    expect(texts()).toEqual([
      `Hi! This is session ${short}… (new), message 1. Try /agent, /survey or /crash.`,
      `Got it. Session ${short}…, message 3.`,
    ]);
  });

  it('ends the session on /agent (handoff), on a survey answer, and on /crash', async () => {
    await bot.handleUpdate(asTelegrafUpdate(textMessage('/agent')));
    await bot.handleUpdate(asTelegrafUpdate(textMessage('/survey')));
    await bot.handleUpdate(asTelegrafUpdate(callbackQuery('rate:5')));
    await bot.handleUpdate(asTelegrafUpdate(textMessage('/crash')));

    expect(ended.map((session) => session.endReason)).toEqual(['handoff', 'survey', 'interrupted']);
  });
});

it('main exits with a message when BOT_TOKEN is not set', async () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const { BOT_TOKEN: _unset, ...env } = process.env;
  const run = promisify(execFile)(process.execPath, [main], { env, timeout: 10_000 });
  await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Set BOT_TOKEN') });
});
