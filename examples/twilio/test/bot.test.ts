import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { createBot } from '../dist/bot.js';

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const USER = { From: '+14155550100', To: '+15017122661', AccountSid: `AC${'0'.repeat(32)}`, NumMedia: '0' };

let tracker: SessionTracker | undefined;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

async function start() {
  tracker = createSessionTracker();
  const ended: Session[] = [];
  tracker.on('sessionEnd', (session) => {
    ended.push(session);
  });
  const bot = await listenLocal(createBot(tracker, { authToken: AUTH_TOKEN }));
  const url = `${bot.url}/twilio/messages`;
  let sid = 0;
  const send = async (body: string) => {
    const params = { ...USER, MessageSid: `SM${++sid}`, Body: body };
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text() };
  };
  return { send, ended, url };
}

describe('the Twilio example bot', () => {
  it('greets a new session, then counts the messages of the conversation', async () => {
    const bot = await start();
    expect((await bot.send('hello')).text).toContain('Hi! This is the bakery bot.');
    expect((await bot.send('do you have croissants?')).text).toContain('message 2 of this conversation');
  });

  it('hands the conversation to a human on "agent": the session ends with handoff', async () => {
    const bot = await start();
    await bot.send('hello');
    const reply = await bot.send('agent');
    expect(reply.text).toContain('A person from the bakery');
    expect(bot.ended.map((session) => session.endReason)).toEqual(['handoff']);
    expect(bot.ended[0]).toMatchObject({ userMessages: 2, botMessages: 1 });
    // The handoff notice answers the ended session: it opens no new one.
    expect(await tracker!.get({ channel: 'sms', conversationId: `${USER.From}|${USER.To}` })).toBeUndefined();
  });

  it('refuses an unsigned request', async () => {
    const bot = await start();
    const response = await fetch(bot.url, { method: 'POST', body: 'From=%2B1' });
    expect(response.status).toBe(403);
  });

  it('main exits with a message when TWILIO_AUTH_TOKEN is not set', async () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const env = { ...process.env, TWILIO_AUTH_TOKEN: '' };
    const run = promisify(execFile)(process.execPath, [main], { env, timeout: 10_000 });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('TWILIO_AUTH_TOKEN'),
    });
  });
});
