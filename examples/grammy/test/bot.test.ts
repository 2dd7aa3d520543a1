import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN, type FakeBotApi, startFakeBotApi } from '../../../test/support/telegram/fake-bot-api.js';
import { callbackQuery, textMessage } from '../../../test/support/telegram/updates.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { createBot, remind } from '../dist/bot.js';

describe('the example grammY bot', () => {
  let api: FakeBotApi;
  let tracker: SessionTracker;
  let ended: Session[];
  let bot: ReturnType<typeof createBot>;
  const texts = () => api.callsOf('sendMessage').map((call) => String(call.payload.text));
  const deliver = (update: ReturnType<typeof textMessage>) => bot.handleUpdate(update).catch(() => {});

  beforeEach(async () => {
    api = await startFakeBotApi();
    tracker = createSessionTracker();
    ended = [];
    tracker.on('sessionEnd', (session) => void ended.push(session));
    bot = createBot(BOT_TOKEN, tracker, { apiRoot: api.apiRoot });
    await bot.init();
  });
  afterEach(async () => {
    await tracker.close();
    await api.close();
  });

  it('tells the user their session, new on /start and the same on the next message', async () => {
    await deliver(textMessage('/start'));
    await deliver(textMessage('hello'));

    const session = await tracker.get({ channel: 'telegram', conversationId: '7', userId: '7' });
    const short = session?.id.slice(0, 8);
    expect(texts()).toEqual([
      `Hi! This is session ${short}… (new), message 1. Try /agent, /survey or /crash.`,
      `Got it. Session ${short}…, message 3.`,
    ]);
  });

  it('ends the session on /agent (handoff), on a survey answer, and on /crash', async () => {
    await deliver(textMessage('/agent'));
    await deliver(textMessage('/survey'));
    await deliver(callbackQuery('rate:4'));
    await deliver(textMessage('/crash'));

    expect(ended.map((session) => session.endReason)).toEqual(['handoff', 'survey', 'interrupted']);
    expect(ended[1]?.surveyScore).toBe(80);
  });

  it('counts a proactive reminder sent through bot.api, and the answer joins its session', async () => {
    await remind(bot, 7);
    await deliver(textMessage('no, thanks'));

    const session = await tracker.get({ channel: 'telegram', conversationId: '7' });
    expect(session).toMatchObject({ botMessages: 2, userMessages: 1 });
  });
});

it('keeps answering while the store is down: /agent, /survey and the rating all get their replies', async () => {
  const api = await startFakeBotApi();
  const tracker = createSessionTracker({ backend: unavailableBackend() });
  const errors: Error[] = [];
  tracker.on('error', (error) => void errors.push(error));
  const bot = createBot(BOT_TOKEN, tracker, { apiRoot: api.apiRoot });
  await bot.init();
  const failed: unknown[] = [];
  for (const update of [textMessage('/agent'), textMessage('/survey'), callbackQuery('rate:4')]) {
    await bot.handleUpdate(update).catch((error: unknown) => void failed.push(error));
  }
  expect(failed).toEqual([]);
  expect(api.callsOf('sendMessage').map((call) => String(call.payload.text))).toEqual([
    'A person will answer you here. (That ended your session with the bot.)',
    'How did we do?',
  ]);
  expect(api.callsOf('answerCallbackQuery')).toHaveLength(1);
  expect(errors.length).toBeGreaterThan(0); // the outage was told, on the tracker's error event
  await tracker.close();
  await api.close();
});

it('main exits with a message when BOT_TOKEN is not set', async () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const { BOT_TOKEN: _unset, ...env } = process.env;
  const run = promisify(execFile)(process.execPath, [main], { env, timeout: 10_000 });
  await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Set BOT_TOKEN') });
});
