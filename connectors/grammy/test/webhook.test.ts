/**
 * grammY's own webhook endpoint (`webhookCallback(bot, 'express', { secretToken })`) in Express:
 * grammY checks `X-Telegram-Bot-Api-Secret-Token` before any middleware runs, so a forged update
 * never reaches the tracker. https://core.telegram.org/bots/api#setwebhook (secret_token)
 */
import express from 'express';
import { webhookCallback } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalServer, listenLocal } from '../../../test/support/local-server.js';
import { textMessage } from '../../../test/support/telegram/updates.js';
import { type Harness, type HarnessOptions, startHarness } from './harness.js';

const SECRET = 'webhook-secret_42';
const PATH = '/telegram/webhook';

describe('webhook updates', () => {
  let h: Harness;
  let server: LocalServer;
  let url: string;

  async function serve(options: HarnessOptions = {}): Promise<void> {
    h = await startHarness(options);
    h.bot.on('message:text', (ctx) => ctx.reply(`session ${ctx.botSession?.sessionId}`));
    const app = express();
    app.use(express.json());
    app.post(PATH, webhookCallback(h.bot, 'express', { secretToken: SECRET }));
    server = await listenLocal(app);
    url = `${server.url}${PATH}`;
  }

  afterEach(async () => {
    await server.close();
    await h.close();
  });

  const post = (headers: Record<string, string>, body: string = JSON.stringify(textMessage('hello'))) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers 401 to a missing secret token and counts nothing', async () => {
    await serve();
    const response = await post({});

    expect(response.status).toBe(401);
    expect(h.started).toHaveLength(0);
    expect(h.api.callsOf('sendMessage')).toHaveLength(0);
  });

  it('answers 401 to a wrong secret token and counts nothing', async () => {
    await serve();
    const response = await post({ 'x-telegram-bot-api-secret-token': 'guess' });

    expect(response.status).toBe(401);
    expect(h.started).toHaveLength(0);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toBeUndefined();
  });

  it('counts an update with the right secret and the reply sent while handling it', async () => {
    await serve();
    const response = await post({ 'x-telegram-bot-api-secret-token': SECRET });

    expect(response.status).toBe(200);
    // grammY ends the webhook response after the handler, so everything is counted by now.
    expect(h.started).toHaveLength(1);
    expect(h.api.callsOf('sendMessage').map((call) => call.payload.text)).toEqual([
      `session ${h.started[0]?.id}`,
    ]);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toMatchObject({
      userMessages: 1,
      botMessages: 1,
    });
  });

  it('counts a reply sent as the webhook reply, in the HTTP response instead of an API call', async () => {
    await serve({ client: { canUseWebhookReply: (method) => method === 'sendMessage' } });
    const response = await post({ 'x-telegram-bot-api-secret-token': SECRET });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ method: 'sendMessage', chat_id: 7 });
    expect(h.api.callsOf('sendMessage')).toHaveLength(0);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toMatchObject({
      userMessages: 1,
      botMessages: 1,
    });
  });

  it('answers 400 to a body that is not JSON and counts nothing', async () => {
    await serve();
    const response = await post({ 'x-telegram-bot-api-secret-token': SECRET }, '{"update_id": 1, "message":');

    expect(response.status).toBe(400);
    expect(h.started).toHaveLength(0);
  });

  it('counts a webhook retry of the same update once', async () => {
    await serve();
    const body = JSON.stringify(textMessage('hello'));
    await post({ 'x-telegram-bot-api-secret-token': SECRET }, body);
    await post({ 'x-telegram-bot-api-secret-token': SECRET }, body);

    // The handler ran twice and the user got two replies: both are messages; the update is one.
    expect(h.api.callsOf('sendMessage')).toHaveLength(2);
    expect(await h.tracker.get({ channel: 'telegram', conversationId: '7' })).toMatchObject({
      userMessages: 1,
      botMessages: 2,
    });
  });
});
