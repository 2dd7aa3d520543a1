import type { IncomingMessage } from 'node:http';
import {
  ConfigError,
  createSessionTracker,
  type Session,
  type SessionStamp,
  type SessionTracker,
} from '@botsession/core';
import { type ApiMessage, type MessageReply, messagingApi, refOf } from '@botsession/messaging-api';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { call, KEY } from './client.js';
import message from './fixtures/message.json' with { type: 'json' };

const REF = { channel: 'messaging-api', conversationId: 'order-4711' };

let tracker: SessionTracker | undefined;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
  tracker = undefined;
});

interface Api {
  url: string;
  tracker: SessionTracker;
  received: Array<{ message: ApiMessage; stamp: SessionStamp | undefined }>;
  ended: Session[];
  errors: unknown[];
}

async function api(
  answer: (message: ApiMessage) => MessageReply | Promise<MessageReply> = (m) => `echo: ${m.text}`,
  trackerOptions: Parameters<typeof createSessionTracker>[0] = {},
): Promise<Api> {
  tracker = createSessionTracker(trackerOptions);
  const received: Api['received'] = [];
  const ended: Session[] = [];
  const errors: unknown[] = [];
  tracker.on('sessionEnd', (s) => {
    ended.push(s);
  });
  tracker.on('error', (e) => errors.push(e));
  const handler = messagingApi({
    tracker,
    apiKeys: ['another-key-0123456789', KEY],
    onMessage: (m, stamp) => {
      received.push({ message: m, stamp });
      return answer(m);
    },
    onError: (e) => errors.push(e),
  });
  return { url: (await listenLocal(handler)).url, tracker, received, ended, errors };
}

describe('POST /v1/messages', () => {
  it("counts the user's message and the bot's replies in one session and answers with the stamp", async () => {
    const a = await api((m) => [`echo: ${m.text}`, 'anything else?']);
    const reply = await call(a.url, 'POST', '/v1/messages', message);
    expect(reply.status).toBe(200);
    const session = await a.tracker.get(REF);
    expect(reply.body).toEqual({
      sessionId: session?.id,
      isNew: true,
      redelivered: false,
      replies: ['echo: Where is my parcel?', 'anything else?'],
    });
    expect(session).toMatchObject({ userId: 'customer-42', userMessages: 1, botMessages: 2 });
    expect(a.received[0]?.message).toEqual(message);
    expect(a.received[0]?.stamp?.sessionId).toBe(session?.id);
  });

  it('a second message of the conversation stays in the same session', async () => {
    const a = await api();
    const first = await call(a.url, 'POST', '/v1/messages', message);
    const second = await call(a.url, 'POST', '/v1/messages', { ...message, text: 'hello?' });
    expect(second.body.sessionId).toBe(first.body.sessionId);
    expect(second.body.isNew).toBe(false);
  });

  it('accepts no reply, and replies followed by a handoff that ends the session after them', async () => {
    const a = await api((m) =>
      m.text === 'agent' ? { replies: ['A human will take over.'], after: 'handoff' } : undefined,
    );
    const quiet = await call(a.url, 'POST', '/v1/messages', message);
    expect(quiet.body.replies).toEqual([]);
    const handoff = await call(a.url, 'POST', '/v1/messages', { ...message, text: 'agent' });
    expect(handoff.body.replies).toEqual(['A human will take over.']);
    expect(a.ended).toHaveLength(1);
    expect(a.ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 2, botMessages: 1 });
    expect(await a.tracker.get(REF)).toBeUndefined();
  });

  it('does not count replies returned after a handoff inside onMessage, and opens no new session', async () => {
    const a = await api(async (m) => {
      await a.tracker.handoff(refOf(m));
      return ['A human will take over.', 'Please hold on.'];
    });
    const started: Session[] = [];
    a.tracker.on('sessionStart', (s) => {
      started.push(s);
    });
    const reply = await call(a.url, 'POST', '/v1/messages', message);
    expect(reply.status).toBe(200);
    expect(reply.body.replies).toEqual(['A human will take over.', 'Please hold on.']);
    expect(a.ended).toHaveLength(1);
    expect(a.ended[0]).toMatchObject({ id: reply.body.sessionId, endReason: 'handoff', botMessages: 0 });
    expect(started.map((s) => s.id)).toEqual([reply.body.sessionId]);
    expect(await a.tracker.get(REF)).toBeUndefined();
  });

  it('answers 400 naming each bad field, and tracks nothing', async () => {
    const a = await api();
    const reply = await call(a.url, 'POST', '/v1/messages', { userId: 'u', text: 3, extra: true });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe(
      'conversationId: expected string, received undefined; text: expected string, received number; body: Unrecognized key: "extra"',
    );
    const empty = await call(a.url, 'POST', '/v1/messages', { ...message, conversationId: '' });
    expect(empty.body.error).toMatch(/^conversationId: /);
    const notJson = await call(a.url, 'POST', '/v1/messages', '{"conversationId"');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/not valid JSON/);
    expect(a.received).toEqual([]);
    expect(await a.tracker.get(REF)).toBeUndefined();
  });

  it('a handler that throws ends the session as interrupted and answers 500; the next message starts anew', async () => {
    const boom = new Error('CRM down');
    let fail = false;
    const a = await api(() => {
      if (fail) throw boom;
      return 'ok';
    });
    const first = await call(a.url, 'POST', '/v1/messages', message);
    fail = true;
    const failed = await call(a.url, 'POST', '/v1/messages', message);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: 'internal error' });
    expect(a.errors).toEqual([boom]);
    expect(a.ended[0]).toMatchObject({ id: first.body.sessionId, endReason: 'interrupted' });
    fail = false;
    const next = await call(a.url, 'POST', '/v1/messages', message);
    expect(next.body.isNew).toBe(true);
    expect(next.body.sessionId).not.toBe(first.body.sessionId);
  });

  it('a handler that returns something that is not a reply is a failure too', async () => {
    const a = await api(() => 42 as unknown as string);
    const reply = await call(a.url, 'POST', '/v1/messages', message);
    expect(reply.status).toBe(500);
    expect(String(a.errors[0])).toMatch(/onMessage must return/);
    expect(a.ended[0]?.endReason).toBe('interrupted');
  });

  it('when the store is down the bot still answers, with sessionId null, and the tracker emits error', async () => {
    const a = await api(undefined, { backend: unavailableBackend() });
    const reply = await call(a.url, 'POST', '/v1/messages', message);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      sessionId: null,
      isNew: null,
      redelivered: null,
      replies: ['echo: Where is my parcel?'],
    });
    expect(a.received[0]?.stamp).toBeUndefined();
    expect(a.errors.length).toBeGreaterThanOrEqual(1);
    expect(a.errors.every((e) => (e as Error).name === 'StoreUnavailableError')).toBe(true);
  });

  it('ends the session after the messaging-api inactivity timeout from the last user message', async () => {
    const a = await api(undefined, { channels: { 'messaging-api': { inactivityTimeoutMs: 300 } } });
    await call(a.url, 'POST', '/v1/messages', message);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(a.ended).toHaveLength(1);
    const [ended] = a.ended as [Session];
    expect(ended.endReason).toBe('inactivity');
    expect(ended.endedAt).toBe(ended.lastUserMessageAt! + 300);
  });
});

describe('Idempotency-Key: a retried request counts once', () => {
  const withKey = (key: string) => ({ authorization: `Bearer ${KEY}`, 'idempotency-key': key });

  it('counts a retried message once: same stamp, redelivered, replies counted once, the bot runs again', async () => {
    const a = await api((m) => [`echo: ${m.text}`, 'anything else?']);
    const key = '"8e03978e-40d5-43e8-bc93-6894a57f9324"';
    const first = await call(a.url, 'POST', '/v1/messages', message, withKey(key));
    const retry = await call(a.url, 'POST', '/v1/messages', message, withKey(key));
    expect(first.body).toMatchObject({ isNew: true, redelivered: false });
    expect(retry.body).toEqual({
      sessionId: first.body.sessionId,
      isNew: false,
      redelivered: true,
      replies: ['echo: Where is my parcel?', 'anything else?'],
    });
    expect(a.received.map((r) => r.stamp?.redelivered)).toEqual([false, true]);
    expect(await a.tracker.get(REF)).toMatchObject({ userMessages: 1, botMessages: 2 });
    // The unquoted spelling is the same key; another key is another message; no key counts each time.
    expect(
      (await call(a.url, 'POST', '/v1/messages', message, withKey(key.slice(1, -1)))).body.redelivered,
    ).toBe(true);
    await call(a.url, 'POST', '/v1/messages', message, withKey('another-key'));
    await call(a.url, 'POST', '/v1/messages', message);
    expect(await a.tracker.get(REF)).toMatchObject({ userMessages: 3, botMessages: 6 });
  });

  it('opens no second session when a request is retried after the bot failed on it', async () => {
    let fail = true;
    const a = await api(() => {
      if (fail) throw new Error('CRM down');
      return 'ok';
    });
    const started: Session[] = [];
    a.tracker.on('sessionStart', (session) => void started.push(session));
    expect((await call(a.url, 'POST', '/v1/messages', message, withKey('retry-after-failure'))).status).toBe(
      500,
    );
    expect(a.ended.map((s) => s.endReason)).toEqual(['interrupted']);
    fail = false;
    const retry = await call(a.url, 'POST', '/v1/messages', message, withKey('retry-after-failure'));
    expect(retry.body).toMatchObject({ sessionId: a.ended[0]!.id, redelivered: true, replies: ['ok'] });
    expect(started).toHaveLength(1);
    expect(await a.tracker.get(REF)).toBeUndefined();
  });

  it('does nothing more for a retried handoff, even once a new session has started', async () => {
    const a = await api();
    await call(a.url, 'POST', '/v1/messages', message);
    const handoff = await call(
      a.url,
      'POST',
      '/v1/conversations/order-4711/handoff',
      undefined,
      withKey('handoff-1'),
    );
    expect(handoff.body.session).toMatchObject({ endReason: 'handoff' });
    const next = await call(a.url, 'POST', '/v1/messages', message);
    const retried = await call(
      a.url,
      'POST',
      '/v1/conversations/order-4711/handoff',
      undefined,
      withKey('handoff-1'),
    );
    expect(retried.status).toBe(200);
    expect((await a.tracker.get(REF))?.id).toBe(next.body.sessionId); // the new session goes on
    expect(a.ended).toHaveLength(1);
  });

  it('answers 400 to a key that is not 1 to 255 visible ASCII characters', async () => {
    const a = await api();
    for (const key of ['has space', 'x'.repeat(256), '""']) {
      const refused = await call(a.url, 'POST', '/v1/messages', message, withKey(key));
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatch(/^Idempotency-Key must be 1 to 255 visible ASCII characters/);
    }
    expect(a.received).toEqual([]);
  });
});

describe('conversation endpoints', () => {
  it('GET /session answers the active session, and 404 when none is active', async () => {
    const a = await api();
    const none = await call(a.url, 'GET', '/v1/conversations/order-4711/session');
    expect(none.status).toBe(404);
    expect(none.body.error).toBe('no active session for conversation "order-4711"');
    const sent = await call(a.url, 'POST', '/v1/messages', message);
    const active = await call(a.url, 'GET', '/v1/conversations/order-4711/session');
    expect(active.status).toBe(200);
    expect(active.body.session).toMatchObject({ id: sent.body.sessionId, status: 'active', interactions: 2 });
  });

  it('percent-decodes the conversation id of the path', async () => {
    const a = await api();
    await call(a.url, 'POST', '/v1/messages', { ...message, conversationId: 'shop/fr #1' });
    const active = await call(a.url, 'GET', `/v1/conversations/${encodeURIComponent('shop/fr #1')}/session`);
    expect(active.body.session.conversationId).toBe('shop/fr #1');
  });

  it('POST /handoff ends the session (handoff) and returns it; with no session it returns null', async () => {
    const a = await api();
    const none = await call(a.url, 'POST', '/v1/conversations/order-4711/handoff');
    expect(none).toMatchObject({ status: 200, body: { session: null } });
    const sent = await call(a.url, 'POST', '/v1/messages', message);
    const handoff = await call(a.url, 'POST', '/v1/conversations/order-4711/handoff', {});
    expect(handoff.body.session).toMatchObject({
      id: sent.body.sessionId,
      status: 'ended',
      endReason: 'handoff',
    });
  });

  it('POST /survey-sent then /survey-answered ends the session (survey)', async () => {
    const a = await api();
    await call(a.url, 'POST', '/v1/messages', message);
    const sent = await call(a.url, 'POST', '/v1/conversations/order-4711/survey-sent');
    expect(sent.body.session.surveySentAt).toEqual(expect.any(Number));
    const answered = await call(a.url, 'POST', '/v1/conversations/order-4711/survey-answered');
    expect(answered.body.session).toMatchObject({ status: 'ended', endReason: 'survey' });
  });

  it('POST /end validates the reason against the end reasons', async () => {
    const a = await api();
    await call(a.url, 'POST', '/v1/messages', message);
    const bad = await call(a.url, 'POST', '/v1/conversations/order-4711/end', { reason: 'bored' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(
      /^reason: .*"inactivity"\|"closed"\|"handoff"\|"survey"\|"interrupted"\|"manual"/,
    );
    const missing = await call(a.url, 'POST', '/v1/conversations/order-4711/end');
    expect(missing.status).toBe(400);
    const ended = await call(a.url, 'POST', '/v1/conversations/order-4711/end', { reason: 'manual' });
    expect(ended.body.session).toMatchObject({ status: 'ended', endReason: 'manual' });
  });

  it('answers 400 to a body on handoff that has fields', async () => {
    const a = await api();
    const reply = await call(a.url, 'POST', '/v1/conversations/order-4711/handoff', { agent: 'x' });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('body: Unrecognized key: "agent"');
  });

  it('answers 503 when the store is down: there is no bot work to do without it', async () => {
    const a = await api(undefined, { backend: unavailableBackend() });
    const session = await call(a.url, 'GET', '/v1/conversations/order-4711/session');
    const handoff = await call(a.url, 'POST', '/v1/conversations/order-4711/handoff');
    expect([session.status, handoff.status]).toEqual([503, 503]);
  });
});

describe('authentication and routing', () => {
  it('answers 401 with WWW-Authenticate: Bearer without a key or with a wrong one, touching nothing', async () => {
    const a = await api();
    const missing = await call(a.url, 'POST', '/v1/messages', message, {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await call(a.url, 'POST', '/v1/messages', message, { authorization: `Bearer ${KEY}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
    const basic = await call(a.url, 'GET', '/v1/conversations/order-4711/session', undefined, {
      authorization: `Basic ${Buffer.from(`x:${KEY}`).toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    expect(a.received).toEqual([]);
    expect(await a.tracker.get(REF)).toBeUndefined();
  });

  it('accepts any of the configured keys', async () => {
    const a = await api();
    const reply = await call(a.url, 'POST', '/v1/messages', message, {
      authorization: 'Bearer another-key-0123456789',
    });
    expect(reply.status).toBe(200);
  });

  it('answers 404 to an unknown route and 405 with Allow to a wrong method', async () => {
    const a = await api();
    expect((await call(a.url, 'GET', '/v1/nothing')).status).toBe(404);
    expect((await call(a.url, 'POST', '/v1/conversations/a/b/handoff')).status).toBe(404);
    const wrong = await call(a.url, 'GET', '/v1/messages');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const session = await call(a.url, 'DELETE', '/v1/conversations/x/session');
    expect(session.headers.get('allow')).toBe('GET');
  });

  it('answers 415 to a body that is not JSON, and accepts a bodiless POST without a content-type', async () => {
    const a = await api();
    const form = await call(a.url, 'POST', '/v1/messages', 'conversationId=c&userId=u&text=hi', {
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.error).toBe(
      'content-type must be application/json or application/*+json, got "application/x-www-form-urlencoded"',
    );
    const text = await call(a.url, 'POST', '/v1/messages', JSON.stringify(message), {
      authorization: `Bearer ${KEY}`,
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    expect(a.received).toEqual([]);
    const bodiless = await fetch(`${a.url}/v1/conversations/order-4711/handoff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(bodiless.status).toBe(200);
    const curlEmpty = await call(a.url, 'POST', '/v1/conversations/order-4711/survey-sent', '', {
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(curlEmpty.status).toBe(200);
    const vendorJson = await call(a.url, 'POST', '/v1/messages', message, {
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/vnd.acme+json; charset=utf-8',
    });
    expect(vendorJson.status).toBe(200);
  });

  it('answers 413 to a body over the limit', async () => {
    tracker = createSessionTracker();
    const { url } = await listenLocal(
      messagingApi({ tracker, apiKeys: [KEY], onMessage: () => 'x', bodyLimitBytes: 64 }),
    );
    const reply = await call(url, 'POST', '/v1/messages', { ...message, text: 'x'.repeat(100) });
    expect(reply.status).toBe(413);
  });
});

describe('Express', () => {
  it('mounts under a path prefix, after express.json with the raw bytes kept, and passes failures to next', async () => {
    tracker = createSessionTracker();
    const boom = new Error('bot failed');
    const seen: unknown[] = [];
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
    app.use(
      '/chat',
      messagingApi({
        tracker,
        apiKeys: [KEY],
        onMessage: (m) => {
          if (m.text === 'fail') throw boom;
          return `echo: ${m.text}`;
        },
      }),
    );
    app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(error);
      res.status(502).json({ error: 'bot failed' });
    });
    const { url } = await listenLocal(app);
    const ok = await call(`${url}/chat`, 'POST', '/v1/messages', message);
    expect(ok.body.replies).toEqual(['echo: Where is my parcel?']);
    const failed = await call(`${url}/chat`, 'POST', '/v1/messages', { ...message, text: 'fail' });
    expect(failed.status).toBe(502);
    expect(seen).toEqual([boom]);
  });
});

describe('configuration', () => {
  it('throws ConfigError naming the field at construction', () => {
    tracker = createSessionTracker();
    const base = { tracker, apiKeys: [KEY], onMessage: () => 'x' };
    const fieldOf = (options: unknown) => {
      try {
        messagingApi(options as Parameters<typeof messagingApi>[0]);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).field;
      }
      return 'no error';
    };
    expect(fieldOf({ ...base, apiKeys: [] })).toBe('apiKeys');
    expect(fieldOf({ ...base, apiKeys: 'k' })).toBe('apiKeys');
    expect(fieldOf({ ...base, apiKeys: [KEY, 'short'] })).toBe('apiKeys[1]');
    expect(fieldOf({ ...base, onMessage: null })).toBe('onMessage');
    expect(fieldOf({ ...base, tracker: undefined })).toBe('tracker');
    expect(fieldOf({ ...base, channel: 'web' })).toBe('channel');
    expect(fieldOf({ ...base, readTimeoutMs: 0 })).toBe('readTimeoutMs');
    expect(fieldOf({ ...base, onError: 'log' })).toBe('onError');
    expect(fieldOf(base)).toBe('no error');
  });
});
