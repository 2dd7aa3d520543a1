import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { botSession, type TwilioRequest } from '@botsession/twilio';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { AUTH_TOKEN, fixture, nextSession, postSigned } from './harness.js';

let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

type Bot = (req: TwilioRequest, res: ServerResponse) => unknown;

/** A plain Node server: the middleware's `next` is the bot's handler. */
async function plainServer(bot: Bot, onHandlerError?: (error: unknown) => void) {
  const middleware = botSession(tracker, {
    authToken: AUTH_TOKEN,
    ...(onHandlerError ? { onHandlerError } : {}),
  });
  const { url } = await listenLocal((req: IncomingMessage, res: ServerResponse) =>
    middleware(req, res, () => bot(req as TwilioRequest, res)),
  );
  return `${url}/twilio/sms?tenant=7`;
}

describe('plain Node http', () => {
  it('verifies the URL rebuilt from Host and path (with its query) and stamps the request', async () => {
    tracker = createSessionTracker();
    const stamps: Array<SessionStamp | undefined> = [];
    const url = await plainServer((req, res) => {
      stamps.push(req.botSession);
      const twiml = new twilio.twiml.MessagingResponse();
      twiml.message('Yes, this is the bakery.');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(twiml.toString());
    });
    const reply = await postSigned(url, fixture('inbound-sms'));
    expect(reply.status).toBe(200);
    expect(stamps[0]?.session).toMatchObject({ channel: 'sms', userMessages: 1 });
    expect(await tracker.get(stamps[0]!.session)).toMatchObject({ botMessages: 1 });
  });

  it('answers Twilio 200 with an empty <Response/> and ends the session interrupted when the handler throws', async () => {
    tracker = createSessionTracker();
    const reported: unknown[] = [];
    const stamps: Array<SessionStamp | undefined> = [];
    const url = await plainServer(
      (req) => {
        stamps.push(req.botSession);
        throw new Error('the order service is down');
      },
      (error) => reported.push(error),
    );
    const ended = nextSession(tracker, 'sessionEnd');
    const reply = await postSigned(url, fixture('inbound-sms'));
    expect(reply.status).toBe(200);
    expect(reply.contentType).toContain('text/xml');
    expect(reply.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await ended).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'interrupted' });
    expect(reported).toEqual([new Error('the order service is down')]);
  });

  it('treats an async handler that rejects the same way', async () => {
    tracker = createSessionTracker();
    const reported: unknown[] = [];
    const url = await plainServer(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('timeout from the LLM');
      },
      (error) => reported.push(error),
    );
    const ended = nextSession(tracker, 'sessionEnd');
    const reply = await postSigned(url, fixture('inbound-whatsapp'));
    expect(reply.status).toBe(200);
    expect((await ended).endReason).toBe('interrupted');
    expect(reported).toHaveLength(1);
  });

  it('ends the session interrupted when the handler never answers and the connection closes', async () => {
    tracker = createSessionTracker();
    const url = await plainServer((req) => {
      // The handler hangs; the caller gives up (as Twilio does after 15 s).
      req.socket.destroy();
    });
    const ended = nextSession(tracker, 'sessionEnd');
    await expect(postSigned(url, fixture('inbound-sms'))).rejects.toThrow();
    expect((await ended).endReason).toBe('interrupted');
  });

  it('refuses a bad signature with 403 without calling the handler', async () => {
    tracker = createSessionTracker();
    let called = false;
    const url = await plainServer(() => {
      called = true;
    });
    const reply = await postSigned(url, fixture('inbound-sms'), { signature: 'AAAA' });
    expect(reply.status).toBe(403);
    expect(called).toBe(false);
    expect(
      await tracker.get({ channel: 'sms', conversationId: '+14155550100|+15017122661' }),
    ).toBeUndefined();
  });
});
