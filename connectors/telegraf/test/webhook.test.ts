/**
 * Telegraf's own webhook endpoint (`bot.webhookCallback`) served by a node http server: Telegraf
 * checks `X-Telegram-Bot-Api-Secret-Token` before any middleware runs, so a forged update never
 * reaches the tracker. https://core.telegram.org/bots/api#setwebhook (secret_token)
 */
import type { SessionStamp } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalServer, listenLocal } from '../../../test/support/local-server.js';
import { textMessage } from '../../../test/support/telegram/updates.js';
import { type Harness, startHarness } from './harness.js';

const SECRET = 'webhook-secret_42';
const PATH = '/telegram/webhook';

describe('webhook updates', () => {
  let h: Harness;
  let server: LocalServer;
  let url: string;

  beforeEach(async () => {
    h = await startHarness();
    h.bot.on('text', (ctx) => ctx.reply(`session ${ctx.botSession?.sessionId}`));
    server = await listenLocal(h.bot.webhookCallback(PATH, { secretToken: SECRET }));
    url = `${server.url}${PATH}`;
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const post = (headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(textMessage('hello')),
    });

  it('answers 403 to a missing secret token and counts nothing', async () => {
    const response = await post({});

    expect(response.status).toBe(403);
    expect(h.started).toHaveLength(0);
    expect(h.api.calls).toHaveLength(0);
  });

  it('answers 403 to a wrong secret token and counts nothing', async () => {
    const response = await post({ 'x-telegram-bot-api-secret-token': 'guess' });

    expect(response.status).toBe(403);
    expect(h.started).toHaveLength(0);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toBeUndefined();
  });

  it('counts an update with the right secret and the reply sent while handling it', async () => {
    const response = await post({ 'x-telegram-bot-api-secret-token': SECRET });

    expect(response.status).toBe(200);
    // Telegraf ends the webhook response after the handler, so everything is counted by now.
    expect(h.started).toHaveLength(1);
    expect(h.api.callsOf('sendMessage').map((call) => call.payload.text)).toEqual([
      `session ${h.started[0]?.id}`,
    ]);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toMatchObject({
      userMessages: 1,
      botMessages: 1,
    });
  });

  it('answers 415 to a body that is not JSON and counts nothing', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: '{"update_id": 1, "message":',
    });

    expect(response.status).toBe(415);
    expect(h.started).toHaveLength(0);
  });
});

describe('redelivered updates (Telegram resends an update that got no 2xx, same update_id)', () => {
  let h: Harness;
  let server: LocalServer;
  let url: string;
  let fail: boolean;
  let stamps: Array<SessionStamp | undefined>;

  beforeEach(async () => {
    h = await startHarness();
    fail = false;
    stamps = [];
    h.bot.on('text', async (ctx) => {
      stamps.push(ctx.botSession);
      if (fail) throw new Error('the CRM is down');
      await ctx.reply('hi');
    });
    server = await listenLocal(h.bot.webhookCallback(PATH, { secretToken: SECRET }));
    url = `${server.url}${PATH}`;
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const deliver = (update: object) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });

  it('counts the update once and runs the handler again with the first stamp, marked redelivered', async () => {
    const update = textMessage('hello');
    await deliver(update);
    await deliver(update);
    expect(stamps.map((stamp) => stamp?.redelivered)).toEqual([false, true]);
    expect(stamps[1]?.sessionId).toBe(stamps[0]?.sessionId);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toMatchObject({
      userMessages: 1,
    });
  });

  it('opens no second session after a handler failure: the retry sees the ended session', async () => {
    const update = textMessage('hello');
    fail = true;
    await deliver(update);
    expect(h.ended.map((session) => session.endReason)).toEqual(['interrupted']);
    fail = false;
    await deliver(update);
    expect(stamps[1]).toMatchObject({ redelivered: true, session: { status: 'ended' } });
    expect(h.started).toHaveLength(1);
    // The retry's reply answers the ended session: delivered, counted nowhere.
    expect(h.api.callsOf('sendMessage')).toHaveLength(1);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toBeUndefined();
  });
});
