import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { refOf, trackedClient, trackOutbound } from '@botsession/twilio';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { fixture, postSigned } from './harness.js';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const API_TOKEN = 'f'.repeat(32);

let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

/**
 * The SDK's own RequestClient (axios, auth, form encoding, error parsing), pointed at a local
 * server instead of api.twilio.com.
 */
class LocalRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super();
  }
  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({
      ...options,
      uri: options.uri.replace('https://api.twilio.com', this.base),
    });
  }
}

interface Received {
  path: string;
  form: URLSearchParams;
  authorization: string | undefined;
}

/** A local Messages API: creates a message (201, the documented resource) or refuses a bad To (400). */
async function fakeMessagesApi() {
  const received: Received[] = [];
  const created = JSON.parse(
    readFileSync(new URL('./fixtures/twilio/message-created.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const { url } = await listenLocal(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    received.push({ path: req.url ?? '', form, authorization: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (form.get('To') === '+1') {
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          code: 21211,
          message: "The 'To' number +1 is not a valid phone number.",
          more_info: 'https://www.twilio.com/docs/errors/21211',
          status: 400,
        }),
      );
      return;
    }
    res.statusCode = 201;
    res.end(
      JSON.stringify({ ...created, to: form.get('To'), from: form.get('From'), body: form.get('Body') }),
    );
  });
  const client = twilio(ACCOUNT_SID, API_TOKEN, { httpClient: new LocalRequestClient(url) });
  return { client, received };
}

describe('trackedClient', () => {
  it('tracks a message sent with client.messages.create() as the bot’s, in the user’s conversation', async () => {
    tracker = createSessionTracker();
    const { client, received } = await fakeMessagesApi();
    const tracked = trackedClient(client, tracker);

    const message = await tracked.messages.create({
      from: '+15017122661',
      to: '+14155550100',
      body: 'Your order is ready',
    });

    expect(message.sid).toBe('SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(received[0]?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(received[0]?.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${API_TOKEN}`).toString('base64')}`,
    );
    // A proactive message with no session open starts one, in the same conversation as the
    // user's messages to that number.
    const session = await tracker.get(refOf(fixture('inbound-sms')));
    expect(session).toMatchObject({ channel: 'sms', botMessages: 1, userMessages: 0 });
  });

  it('adds the bot’s message to the session the user’s WhatsApp message opened', async () => {
    tracker = createSessionTracker();
    const { client } = await fakeMessagesApi();
    const inbound = fixture('inbound-whatsapp');
    const opened = await tracker.track(refOf(inbound), { direction: 'inbound' });

    await trackedClient(client, tracker).messages.create({
      from: inbound.To!,
      to: inbound.From!,
      body: 'Yes!',
    });

    const session = await tracker.get(refOf(inbound));
    expect(session).toMatchObject({
      id: opened.sessionId,
      channel: 'whatsapp',
      userMessages: 1,
      botMessages: 1,
    });
  });

  it('does not track a message Twilio refused', async () => {
    tracker = createSessionTracker();
    const { client } = await fakeMessagesApi();
    const sending = trackedClient(client, tracker).messages.create({
      from: '+15017122661',
      to: '+1',
      body: 'x',
    });
    await expect(sending).rejects.toMatchObject({ status: 400, code: 21211 });
    expect(await tracker.get({ channel: 'sms', conversationId: '+1|+15017122661' })).toBeUndefined();
  });

  it('supports the SDK’s callback style', async () => {
    tracker = createSessionTracker();
    const { client } = await fakeMessagesApi();
    const sid = await new Promise<string | undefined>((resolve, reject) => {
      void trackedClient(client, tracker).messages.create(
        { from: '+15017122661', to: '+14155550100', body: 'hi' },
        (error, item) => (error ? reject(error) : resolve(item?.sid)),
      );
    });
    expect(sid).toBe('SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(await tracker.get(refOf(fixture('inbound-sms')))).toMatchObject({ botMessages: 1 });
  });

  it('leaves the original client untracked and everything else on the wrapper unchanged', async () => {
    tracker = createSessionTracker();
    const { client, received } = await fakeMessagesApi();
    const tracked = trackedClient(client, tracker);
    expect(tracked.accountSid).toBe(ACCOUNT_SID);
    // Calling the list (a message context) still works, and fetching is not sending.
    const fetched = await tracked.messages('SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa').fetch();
    expect(fetched.sid).toBe('SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(received.at(-1)?.path).toBe(
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json`,
    );
    await client.messages.create({ from: '+15017122661', to: '+14155550100', body: 'untracked' });
    expect(await tracker.get(refOf(fixture('inbound-sms')))).toBeUndefined();
  });

  it('still resolves with the sent message when the store is down', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    const errors: Error[] = [];
    tracker.on('error', (error) => errors.push(error));
    const { client } = await fakeMessagesApi();
    const message = await trackedClient(client, tracker).messages.create({
      from: '+15017122661',
      to: '+14155550100',
      body: 'hi',
    });
    expect(message.status).toBe('queued');
    expect(errors.map((error) => error.name)).toEqual(['StoreUnavailableError']);
  });
});

describe('trackOutbound', () => {
  it('tracks a message sent some other way, from its to/from addresses', async () => {
    tracker = createSessionTracker();
    const stamp = await trackOutbound(tracker, { from: '+15017122661', to: '+14155550100' });
    expect(stamp?.session).toMatchObject({ conversationId: '+14155550100|+15017122661', botMessages: 1 });
  });

  it('warns and tracks nothing when the sender is unknown (Messaging Service sends)', async () => {
    tracker = createSessionTracker();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      expect(await trackOutbound(tracker, { to: '+14155550100', from: null })).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([expect.stringContaining('names no from address')]);
  });

  it('counts a TwiML reply and a REST send in one session', async () => {
    tracker = createSessionTracker();
    const { client } = await fakeMessagesApi();
    const express = (await import('express')).default;
    const { botSession } = await import('@botsession/twilio');
    const app = express();
    const tracked = trackedClient(client, tracker);
    app.post('/sms', botSession(tracker, { authToken: 'a'.repeat(32) }), async (req, res) => {
      const message = req.twilioMessage!;
      await tracked.messages.create({ from: message.To!, to: message.From!, body: 'a follow-up' });
      res.type('text/xml').send('<Response><Message>right away</Message></Response>');
    });
    const { url } = await listenLocal(app);
    const sig = twilio.getExpectedTwilioSignature('a'.repeat(32), `${url}/sms`, fixture('inbound-sms'));
    await postSigned(`${url}/sms`, fixture('inbound-sms'), { signature: sig });
    expect(await tracker.get(refOf(fixture('inbound-sms')))).toMatchObject({
      userMessages: 1,
      botMessages: 2,
    });
  });

  it('counts a REST reply to a WhatsApp user keyed by the business-scoped id in that conversation', async () => {
    tracker = createSessionTracker();
    const started: unknown[] = [];
    tracker.on('sessionStart', (session) => void started.push(session));
    const { client, received } = await fakeMessagesApi();
    const express = (await import('express')).default;
    const { botSession } = await import('@botsession/twilio');
    const app = express();
    const tracked = trackedClient(client, tracker);
    app.post('/sms', botSession(tracker, { authToken: 'a'.repeat(32) }), async (req, res) => {
      const message = req.twilioMessage!;
      // The bot replies to the phone number; the conversation is keyed by ExternalUserIdentifier.
      await tracked.messages.create({ from: message.To!, to: message.From!, body: 'a follow-up' });
      res.type('text/xml').send('<Response/>');
    });
    const { url } = await listenLocal(app);
    const params = fixture('inbound-whatsapp-bsuid');
    const sig = twilio.getExpectedTwilioSignature('a'.repeat(32), `${url}/sms`, params);
    await postSigned(`${url}/sms`, params, { signature: sig });
    expect(received[0]?.form.get('To')).toBe('whatsapp:+14155550100');
    expect(started).toHaveLength(1);
    expect(await tracker.get(refOf(params))).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('counts a later send in the conversation it is given', async () => {
    tracker = createSessionTracker();
    const conversation = refOf(fixture('inbound-whatsapp-bsuid'));
    const stamp = await trackOutbound(tracker, { to: 'whatsapp:+14155550100' }, conversation);
    expect(stamp?.session).toMatchObject({ conversationId: conversation.conversationId, botMessages: 1 });
  });
});
