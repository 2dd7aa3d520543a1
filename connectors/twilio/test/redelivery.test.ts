/**
 * Twilio retries a webhook it got no answer for (a timeout, a connection error, and with
 * connection overrides a 5xx) with the same parameters: the same `MessageSid`, signed again.
 * The message counts once; the route still runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSessionTracker, type Session, type SessionStamp, type SessionTracker } from '@botsession/core';
import { botSession, type TwilioRequest } from '@botsession/twilio';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { AUTH_TOKEN, fixture, postSigned } from './harness.js';

const SMS = { channel: 'sms', conversationId: '+14155550100|+15017122661' };
let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

async function plainBot(fail: () => boolean) {
  tracker = createSessionTracker();
  const stamps: Array<SessionStamp | undefined> = [];
  const started: Session[] = [];
  const ended: Session[] = [];
  tracker.on('sessionStart', (session) => {
    started.push(session);
  });
  tracker.on('sessionEnd', (session) => {
    ended.push(session);
  });
  const middleware = botSession(tracker, { authToken: AUTH_TOKEN, onHandlerError: () => {} });
  const { url } = await listenLocal((req: IncomingMessage, res: ServerResponse) =>
    middleware(req, res, () => {
      stamps.push((req as TwilioRequest).botSession);
      if (fail()) throw new Error('the order service is down');
      const twiml = new twilio.twiml.MessagingResponse();
      twiml.message('Yes, this is the bakery.');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(twiml.toString());
    }),
  );
  return { url: `${url}/sms`, stamps, started, ended };
}

describe('Twilio redeliveries (same MessageSid)', () => {
  it('counts a redelivered message once and runs the route again with the original stamp', async () => {
    const bot = await plainBot(() => false);
    await postSigned(bot.url, fixture('inbound-sms'));
    await postSigned(bot.url, fixture('inbound-sms'), {
      headers: { 'i-twilio-idempotency-token': 'retry-1' },
    });
    expect(bot.stamps.map((stamp) => stamp?.redelivered)).toEqual([false, true]);
    expect(bot.stamps[1]?.sessionId).toBe(bot.stamps[0]?.sessionId);
    expect(await tracker.get(SMS)).toMatchObject({ userMessages: 1 });
  });

  it("counts the retried route's TwiML reply once: Twilio sends only the answer it got", async () => {
    const bot = await plainBot(() => false);
    const first = await postSigned(bot.url, fixture('inbound-sms'));
    const again = await postSigned(bot.url, fixture('inbound-sms'));
    expect([first.text, again.text].map((text) => text.match(/<Message>/g)?.length)).toEqual([1, 1]);
    // Replies are counted before the answer leaves, so both are counted by now.
    expect(await tracker.get(SMS)).toMatchObject({ userMessages: 1, botMessages: 1, interactions: 2 });
    // The next message's reply is a new one.
    const next = { ...fixture('inbound-sms'), MessageSid: 'SM1f0e8ae6ade43cb3c0ce4525424e4050' };
    await postSigned(bot.url, next);
    expect(await tracker.get(SMS)).toMatchObject({ userMessages: 2, botMessages: 2, interactions: 4 });
  });

  it('opens no second session after a route failure: the retry sees the ended session', async () => {
    let failing = true;
    const bot = await plainBot(() => failing);
    await postSigned(bot.url, fixture('inbound-sms'));
    expect(bot.ended.map((session) => session.endReason)).toEqual(['interrupted']);
    failing = false;
    const reply = await postSigned(bot.url, fixture('inbound-sms'));
    expect(reply.text).toContain('<Message>Yes, this is the bakery.</Message>');
    expect(bot.stamps[1]).toMatchObject({ redelivered: true, session: { status: 'ended' } });
    expect(bot.started).toHaveLength(1);
    // The retry's reply answers the ended session: counted nowhere, no session opened.
    expect(await tracker.get(SMS)).toBeUndefined();
    expect(bot.ended[0]).toMatchObject({ userMessages: 1, botMessages: 0 });
  });

  it('a retry that fails again does not end the session the user opened since', async () => {
    let failing = true;
    const bot = await plainBot(() => failing);
    await postSigned(bot.url, fixture('inbound-sms'));
    failing = false;
    const next = {
      ...fixture('inbound-sms'),
      MessageSid: 'SM1f0e8ae6ade43cb3c0ce4525424e4050',
      Body: 'Hello?',
    };
    await postSigned(bot.url, next);
    const current = await tracker.get(SMS);
    failing = true;
    await postSigned(bot.url, fixture('inbound-sms'));
    expect(bot.stamps).toHaveLength(3);
    expect(bot.ended).toHaveLength(1);
    expect(await tracker.get(SMS)).toMatchObject({ id: current?.id, status: 'active' });
  });
});
