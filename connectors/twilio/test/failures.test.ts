import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { botSession, refOf } from '@botsession/twilio';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { rawRequest } from '../../../test/support/raw-http.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { AUTH_TOKEN, fixture, nextSession, postSigned, sign } from './harness.js';

let tracker: SessionTracker;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

/** An Express app whose route records each call; `starts` records every session started. */
async function recordingApp(options: { bodyLimitBytes?: number } = {}) {
  const calls: Array<SessionStamp | undefined> = [];
  const starts: string[] = [];
  tracker.on('sessionStart', (session) => {
    starts.push(session.id);
  });
  const app = express();
  app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN, ...options }), (req, res) => {
    calls.push(req.botSession);
    res.type('text/xml').send('<Response><Message>ok</Message></Response>');
  });
  const { url } = await listenLocal(app);
  return { url: `${url}/sms`, calls, starts };
}

describe('refusals: nothing is tracked', () => {
  it('answers 403 to a message without X-Twilio-Signature', async () => {
    tracker = createSessionTracker();
    const app = await recordingApp();
    const reply = await postSigned(app.url, fixture('inbound-sms'), { signature: null });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text)).toEqual({ error: 'X-Twilio-Signature header is missing' });
    expect(app.calls).toEqual([]);
    expect(app.starts).toEqual([]);
  });

  it('answers 403 to a signature made with another Auth Token', async () => {
    tracker = createSessionTracker();
    const app = await recordingApp();
    const params = fixture('inbound-sms');
    const forged = (await import('twilio')).default.getExpectedTwilioSignature(
      'f'.repeat(32),
      app.url,
      params,
    );
    const reply = await postSigned(app.url, params, { signature: forged });
    expect(reply.status).toBe(403);
    expect(app.calls).toEqual([]);
    expect(app.starts).toEqual([]);
  });

  it('answers 403 when a signed parameter was changed on the way', async () => {
    tracker = createSessionTracker();
    const app = await recordingApp();
    const params = fixture('inbound-sms');
    const signature = sign(app.url, params);
    const reply = await postSigned(app.url, { ...params, Body: 'tampered' }, { signature });
    expect(reply.status).toBe(403);
    expect(app.starts).toEqual([]);
  });

  it('answers 400 naming the missing field to a signed body that is not a Messaging webhook', async () => {
    tracker = createSessionTracker();
    const app = await recordingApp();
    const { MessageSid: _dropped, ...noSid } = fixture('inbound-sms');
    const reply = await postSigned(app.url, noSid);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toBe('MessageSid is missing: not a Twilio Messaging webhook');

    const { From: _from, ...noFrom } = fixture('inbound-sms');
    const second = await postSigned(app.url, noFrom);
    expect(second.status).toBe(400);
    expect(JSON.parse(second.text).error).toBe('From is missing or empty');
    expect(app.calls).toEqual([]);
    expect(app.starts).toEqual([]);
  });

  it('answers 413 to a body over the limit, before looking at the signature', async () => {
    tracker = createSessionTracker();
    const app = await recordingApp({ bodyLimitBytes: 256 });
    const reply = await postSigned(app.url, { ...fixture('inbound-sms'), Body: 'x'.repeat(300) });
    expect(reply.status).toBe(413);
    expect(app.starts).toEqual([]);
  });

  it('answers 405 to anything but POST', async () => {
    tracker = createSessionTracker();
    const app = express();
    app.use('/sms', botSession(tracker, { authToken: AUTH_TOKEN }));
    const { url } = await listenLocal(app);
    const reply = await fetch(`${url}/sms?From=%2B1`, { method: 'GET' });
    expect(reply.status).toBe(405);
  });
});

describe('failures', () => {
  it('still runs the handler without a stamp when the store is down, and the tracker emits error', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    const errors: Error[] = [];
    tracker.on('error', (error) => errors.push(error));
    const app = await recordingApp();
    const reply = await postSigned(app.url, fixture('inbound-sms'));
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('<Message>ok</Message>');
    expect(app.calls).toEqual([undefined]);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]?.name).toBe('StoreUnavailableError');
  });

  it('ends the session interrupted when the Express route throws; the next message starts a new one', async () => {
    tracker = createSessionTracker();
    const stamps: Array<SessionStamp | undefined> = [];
    const app = express();
    app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN }), (req, res) => {
      stamps.push(req.botSession);
      if (req.twilioMessage?.Body === 'boom') throw new Error('the CRM integration failed');
      res.type('text/xml').send('<Response/>');
    });
    const { url } = await listenLocal(app);
    const ended = nextSession(tracker, 'sessionEnd');

    const reply = await postSigned(`${url}/sms`, { ...fixture('inbound-sms'), Body: 'boom' });
    expect(reply.status).toBe(500); // Express's default error handler: the app decides
    const session = await ended;
    expect(session).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'interrupted', status: 'ended' });

    await postSigned(`${url}/sms`, { ...fixture('inbound-sms'), MessageSid: 'SM2', Body: 'hello again' });
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });

  it('lets an Express error handler answer Twilio 200 and end the session interrupted itself', async () => {
    tracker = createSessionTracker();
    const app = express();
    app.post('/sms', botSession(tracker, { authToken: AUTH_TOKEN }), () => {
      throw new Error('flaky');
    });
    // The documented recipe for apps that prefer 200 over Express's 500.
    app.use((_error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      void tracker.end(refOf(req.twilioMessage!), 'interrupted');
      res.type('text/xml').send('<Response/>');
    });
    const { url } = await listenLocal(app);
    const ended = nextSession(tracker, 'sessionEnd');
    const reply = await postSigned(`${url}/sms`, fixture('inbound-sms'));
    expect(reply.status).toBe(200);
    expect((await ended).endReason).toBe('interrupted');
  });
  it('answers 500 and never runs the handler when a url function throws', async () => {
    tracker = createSessionTracker();
    let called = false;
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const middleware = botSession(tracker, {
        authToken: AUTH_TOKEN,
        url: () => {
          throw new Error('no tenant in the path');
        },
      });
      const { url } = await listenLocal((req, res) =>
        middleware(req, res, () => {
          called = true;
          res.end();
        }),
      );
      const reply = await postSigned(`${url}/sms`, fixture('inbound-sms'));
      expect(reply.status).toBe(500);
    } finally {
      console.error = original;
    }
    expect(called).toBe(false);
    expect(logged).toEqual([['[@botsession/twilio]', new Error('no tenant in the path')]]);
  });

  it('gives the failure to onError with the request instead, in the botSession({ tracker, … }) shape', async () => {
    tracker = createSessionTracker();
    const told: Array<[unknown, string, string | undefined]> = [];
    const middleware = botSession({
      tracker,
      authToken: AUTH_TOKEN,
      url: () => {
        throw new Error('no tenant in the path');
      },
      onError: (error, context) => told.push([error, context.connector, context.req.method]),
    });
    const { url } = await listenLocal((req, res) => middleware(req, res, () => res.end()));
    expect((await postSigned(`${url}/sms`, fixture('inbound-sms'))).status).toBe(500);
    expect(told).toEqual([[new Error('no tenant in the path'), '@botsession/twilio', 'POST']]);
  });

  it('refuses a request without X-Twilio-Signature with 403 before reading its body', async () => {
    tracker = createSessionTracker();
    let called = false;
    const middleware = botSession({ tracker, authToken: AUTH_TOKEN });
    const { port } = await listenLocal((req, res) =>
      middleware(req, res, () => {
        called = true;
        res.end();
      }),
    );
    // A body announced but never sent: the 403 comes at once, not after the read timeout.
    const reply = await rawRequest(port, ['POST /sms HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n'], {
      end: true,
    });
    expect(reply.status).toBe(403);
    expect(called).toBe(false);
  });
});

describe('configuration', () => {
  it('throws ConfigError naming authToken when it is missing', () => {
    tracker = createSessionTracker();
    expect(() => botSession(tracker, { authToken: '' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'authToken' }),
    );
  });

  it('throws ConfigError naming url when it is not absolute', () => {
    tracker = createSessionTracker();
    expect(() => botSession(tracker, { authToken: AUTH_TOKEN, url: '/sms' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        field: 'url',
        message: expect.stringContaining('"/sms"'),
      }),
    );
  });

  it('throws ConfigError naming an unknown option', () => {
    tracker = createSessionTracker();
    const options = { authToken: AUTH_TOKEN, authtoken: 'typo' } as unknown as { authToken: string };
    expect(() => botSession(tracker, options)).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'authtoken' }),
    );
  });

  it('throws ConfigError naming onHandlerError when onError is set too, and the tracker given twice', () => {
    tracker = createSessionTracker();
    expect(() =>
      botSession(tracker, { authToken: AUTH_TOKEN, onError: () => {}, onHandlerError: () => {} }),
    ).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'onHandlerError' }));
    expect(() => botSession(tracker, { tracker, authToken: AUTH_TOKEN })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'tracker' }),
    );
    expect(() => botSession({ authToken: AUTH_TOKEN } as never)).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'tracker' }),
    );
  });

  it('throws ConfigError naming readTimeoutMs when it is not a positive whole number', () => {
    tracker = createSessionTracker();
    expect(() => botSession(tracker, { authToken: AUTH_TOKEN, readTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'readTimeoutMs' }),
    );
  });

  it('throws ConfigError naming bodyLimitBytes when it is not a positive integer', () => {
    tracker = createSessionTracker();
    expect(() => botSession(tracker, { authToken: AUTH_TOKEN, bodyLimitBytes: -1 })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'bodyLimitBytes' }),
    );
  });
});
