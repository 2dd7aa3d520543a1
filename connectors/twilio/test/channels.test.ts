/**
 * Which channel and conversation a Twilio address lands in, and what counts: RCS and Messenger
 * have channels of their own, and a WhatsApp user keeps one conversation when the phone number
 * gives way to a business-scoped user id (fixtures: fixtures/twilio/README.md).
 */
import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { botSession, refOf, type TwilioRequest } from '@botsession/twilio';
import express from 'express';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { AUTH_TOKEN, fixture, postSigned } from './harness.js';

let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

async function expressBot() {
  tracker = createSessionTracker();
  const stamps: Array<SessionStamp | undefined> = [];
  const app = express();
  app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN }), (req, res) => {
    stamps.push((req as unknown as TwilioRequest).botSession);
    res.type('text/xml').send(new twilio.twiml.MessagingResponse().toString());
  });
  const { url } = await listenLocal(app);
  return { url: `${url}/sms`, stamps };
}

describe('Twilio channels', () => {
  it('puts rcs: addresses on the rcs channel, with the SMS policy', async () => {
    const bot = await expressBot();
    expect((await postSigned(bot.url, fixture('inbound-rcs'))).status).toBe(200);
    expect(bot.stamps[0]?.session).toMatchObject({
      channel: 'rcs',
      conversationId: 'rcs:+14155550100|rcs:bakery_agent',
      userId: 'rcs:+14155550100',
    });
    expect(tracker.policyOf('rcs')).toEqual(tracker.policyOf('sms'));
  });

  it('puts messenger: addresses on the facebook channel', async () => {
    const bot = await expressBot();
    await postSigned(bot.url, fixture('inbound-messenger'));
    expect(bot.stamps[0]?.session).toMatchObject({
      channel: 'facebook',
      conversationId: 'messenger:6024661307592331|messenger:106589192215347',
    });
  });

  it('keys a WhatsApp user by the business-scoped user id, so a withheld phone number keeps the conversation', async () => {
    const bot = await expressBot();
    await postSigned(bot.url, fixture('inbound-whatsapp-bsuid')); // From: whatsapp:+1…, ExternalUserIdentifier
    await postSigned(bot.url, fixture('inbound-whatsapp-username')); // the phone number withheld
    expect(bot.stamps.map((stamp) => stamp?.session.conversationId)).toEqual([
      'whatsapp:US.13491208655302741918|whatsapp:+14155238886',
      'whatsapp:US.13491208655302741918|whatsapp:+14155238886',
    ]);
    expect(bot.stamps[1]?.sessionId).toBe(bot.stamps[0]?.sessionId);
    expect(bot.stamps[1]?.session).toMatchObject({ channel: 'whatsapp', userMessages: 2 });
  });

  it('counts a message that carries only the business-scoped user id, with no From', async () => {
    const bot = await expressBot();
    const params = fixture('inbound-whatsapp-username');
    delete params.From;
    expect((await postSigned(bot.url, params)).status).toBe(200);
    expect(bot.stamps[0]?.session).toMatchObject({ channel: 'whatsapp', userMessages: 1 });
  });

  it('refOf gives the same conversation as the middleware', () => {
    tracker = createSessionTracker();
    expect(refOf(fixture('inbound-whatsapp-username'))).toEqual({
      channel: 'whatsapp',
      conversationId: 'whatsapp:US.13491208655302741918|whatsapp:+14155238886',
      userId: 'whatsapp:US.13491208655302741918',
    });
    expect(refOf({ From: 'rcs:+14155550100', To: 'rcs:bakery_agent' }).channel).toBe('rcs');
  });
});
