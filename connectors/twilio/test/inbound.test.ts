import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { botSession, refOf, type TwilioMessage } from '@botsession/twilio';
import express from 'express';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { AUTH_TOKEN, fixture, nextSession, postSigned } from './harness.js';

let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

interface Seen {
  stamp: SessionStamp | undefined;
  message: TwilioMessage | undefined;
}

/** An Express bot that answers each message with `replies` TwiML <Message> elements. */
async function expressBot(options: { replies?: number; url?: string } = {}) {
  tracker ??= createSessionTracker();
  const seen: Seen[] = [];
  const app = express();
  app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN, url: options.url }), (req, res) => {
    seen.push({ stamp: req.botSession, message: req.twilioMessage });
    const twiml = new twilio.twiml.MessagingResponse();
    for (let reply = 0; reply < (options.replies ?? 1); reply++) twiml.message(`reply ${reply + 1}`);
    res.type('text/xml').send(twiml.toString());
  });
  const { url } = await listenLocal(app);
  return { url: `${url}/sms`, seen };
}

describe('inbound messages (Express)', () => {
  it('stamps an SMS with a new session keyed by the user and the business number', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot();
    const reply = await postSigned(bot.url, fixture('inbound-sms'));

    expect(reply.status).toBe(200);
    expect(reply.text).toContain('<Message>reply 1</Message>');
    const [{ stamp, message }] = bot.seen as [Seen];
    expect(stamp?.isNew).toBe(true);
    expect(stamp?.session).toMatchObject({
      channel: 'sms',
      conversationId: '+14155550100|+15017122661',
      userId: '+14155550100',
      userMessages: 1,
    });
    expect(message?.Body).toBe('Hello, is this the bakery?');
    expect(message?.MessageSid).toBe('SM1f0e8ae6ade43cb3c0ce4525424e404f');
  });

  it('puts whatsapp: senders on the whatsapp channel', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot();
    await postSigned(bot.url, fixture('inbound-whatsapp'));
    expect(bot.seen[0]?.stamp?.session).toMatchObject({
      channel: 'whatsapp',
      conversationId: 'whatsapp:+14155550100|whatsapp:+14155238886',
      userId: 'whatsapp:+14155550100',
    });
  });

  it('tracks an MMS with an empty Body (NumMedia) as a message', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot();
    expect((await postSigned(bot.url, fixture('inbound-mms'))).status).toBe(200);
    expect(bot.seen[0]?.stamp?.isNew).toBe(true);
    expect(bot.seen[0]?.message?.MediaUrl0).toMatch(/^https:\/\/api\.twilio\.com\//);
  });

  it('keeps one session for the messages of one conversation', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot();
    await postSigned(bot.url, fixture('inbound-sms'));
    await postSigned(bot.url, { ...fixture('inbound-sms'), MessageSid: 'SM2', Body: 'Are you open?' });
    const [first, second] = bot.seen as [Seen, Seen];
    expect(second.stamp?.isNew).toBe(false);
    expect(second.stamp?.sessionId).toBe(first.stamp?.sessionId);
    expect(second.stamp?.session.userMessages).toBe(2);
  });

  it('gives the same user writing to another business number its own conversation', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot();
    await postSigned(bot.url, fixture('inbound-sms'));
    await postSigned(bot.url, { ...fixture('inbound-sms'), To: '+15017120000' });
    const [first, second] = bot.seen as [Seen, Seen];
    expect(second.stamp?.isNew).toBe(true);
    expect(second.stamp?.sessionId).not.toBe(first.stamp?.sessionId);
  });

  it("counts every TwiML <Message> of the route's answer as a bot reply before Twilio gets it", async () => {
    tracker = createSessionTracker();
    const bot = await expressBot({ replies: 2 });
    const reply = await postSigned(bot.url, fixture('inbound-sms'));
    expect(reply.text.match(/<Message>/g)).toHaveLength(2);
    const session = await tracker.get(refOf(fixture('inbound-sms')));
    expect(session).toMatchObject({ userMessages: 1, botMessages: 2, interactions: 3 });
  });

  it('counts nothing when the route answers an empty <Response/>', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot({ replies: 0 });
    await postSigned(bot.url, fixture('inbound-sms'));
    const session = await tracker.get(refOf(fixture('inbound-sms')));
    expect(session).toMatchObject({ userMessages: 1, botMessages: 0 });
  });

  it('counts <Message> elements written in several chunks with res.write', async () => {
    tracker = createSessionTracker();
    const app = express();
    app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN }), (_req, res) => {
      res.setHeader('content-type', 'text/xml');
      res.write('<?xml version="1.0" encoding="UTF-8"?><Response><Mess');
      res.write('age>one</Message><Message><Body>two</Body>');
      res.end(Buffer.from('<Media>https://example.com/a.png</Media></Message></Response>'));
    });
    const { url } = await listenLocal(app);
    await postSigned(`${url}/sms`, fixture('inbound-sms'));
    expect(await tracker.get(refOf(fixture('inbound-sms')))).toMatchObject({ botMessages: 2 });
  });

  it('does not count the reply to a message whose session the handler ended (handoff): no new session opens', async () => {
    tracker = createSessionTracker();
    const started: string[] = [];
    tracker.on('sessionStart', (session) => {
      started.push(session.id);
    });
    const ended = nextSession(tracker, 'sessionEnd');
    const app = express();
    app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN }), async (req, res) => {
      await tracker.handoff(refOf(req.twilioMessage!));
      res.type('text/xml').send('<Response><Message>An agent will answer you here.</Message></Response>');
    });
    const { url } = await listenLocal(app);
    const reply = await postSigned(`${url}/sms`, fixture('inbound-sms'));
    expect(reply.text).toContain('An agent will answer you here.');
    expect(await ended).toMatchObject({ endReason: 'handoff', userMessages: 1, botMessages: 0 });
    expect(await tracker.get(refOf(fixture('inbound-sms')))).toBeUndefined();
    expect(started).toHaveLength(1);
  });

  it('passes status callbacks through untracked: they are not interactions', async () => {
    tracker = createSessionTracker();
    const bot = await expressBot({ replies: 0 });
    const starts: string[] = [];
    tracker.on('sessionStart', (session) => {
      starts.push(session.id);
    });
    const reply = await postSigned(bot.url, fixture('status-callback'));
    expect(reply.status).toBe(200);
    expect(bot.seen).toHaveLength(1);
    expect(bot.seen[0]?.stamp).toBeUndefined();
    expect(bot.seen[0]?.message?.MessageStatus).toBe('delivered');
    expect(starts).toEqual([]);
  });

  it('verifies a body that express.urlencoded() already parsed (Twilio signs parameters, not bytes)', async () => {
    tracker = createSessionTracker();
    const seen: Array<SessionStamp | undefined> = [];
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN }), (req, res) => {
      seen.push(req.botSession);
      res.type('text/xml').send('<Response/>');
    });
    const { url } = await listenLocal(app);
    expect((await postSigned(`${url}/sms`, fixture('inbound-sms'))).status).toBe(200);
    expect((await postSigned(`${url}/sms`, fixture('inbound-sms'), { signature: 'bad' })).status).toBe(403);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.isNew).toBe(true);
  });

  it('verifies against the configured public URL when a proxy changes Host', async () => {
    tracker = createSessionTracker();
    const publicUrl = 'https://bot.example.com/twilio/sms?tenant=7';
    const withUrl = await expressBot({ url: publicUrl });
    const reply = await postSigned(withUrl.url, fixture('inbound-sms'), { signedUrl: publicUrl });
    expect(reply.status).toBe(200);
    expect(withUrl.seen).toHaveLength(1);

    // Without the option the URL is rebuilt from Host + path, which is not what Twilio signed.
    const rebuilt = await expressBot();
    const refused = await postSigned(rebuilt.url, fixture('inbound-sms'), { signedUrl: publicUrl });
    expect(refused.status).toBe(403);
    expect(rebuilt.seen).toHaveLength(0);
  });

  it('ends an SMS session after the channel inactivity, with endedAt = last user message + timeout', async () => {
    tracker = createSessionTracker({ channels: { sms: { inactivityTimeoutMs: 300 } } });
    const bot = await expressBot();
    const ended = nextSession(tracker, 'sessionEnd');
    await postSigned(bot.url, fixture('inbound-sms'));
    const session = await ended;
    const stamp = bot.seen[0]?.stamp;
    expect(session.id).toBe(stamp?.sessionId);
    expect(session.endReason).toBe('inactivity');
    expect(session.endedAt).toBe((stamp?.session.lastUserMessageAt ?? 0) + 300);
  });
});
