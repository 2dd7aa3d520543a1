import { createHmac } from 'node:crypto';
import { ConfigError, createSessionTracker, type SessionTracker } from '@botsession/core';
import { refOf, webChannel } from '@botsession/web';
import { afterEach, describe, expect, it } from 'vitest';
import { listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { SECRET, type Served, serve } from './serve.js';

let tracker: SessionTracker;
let served: Served | undefined;

afterEach(async () => {
  await served?.close();
  served = undefined;
  await tracker?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${served!.url}/botsession/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of several shapes, each pinned by toEqual
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function open(): Promise<string> {
  const opened = await post('open', {});
  expect(opened.status).toBe(200);
  return opened.body.token as string;
}

describe('web channel API', () => {
  it('issues a fresh signed conversation on open, tracks the message and the replies in one session', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker, { onMessage: (text) => [`one: ${text}`, 'two'] });
    const token = await open();
    const other = await open();
    expect(token).not.toBe(other);
    const answer = await post('message', { token, text: 'hello' });
    expect(answer.status).toBe(200);
    const sessionId = answer.body.sessionId;
    expect(answer.body.message).toEqual({ text: 'hello', sessionId, isNew: true, redelivered: false });
    expect(answer.body.replies).toEqual([
      { text: 'one: hello', sessionId },
      { text: 'two', sessionId },
    ]);
    const session = await tracker.get({ channel: 'web', conversationId: answer.body.conversationId });
    expect(session).toMatchObject({ id: sessionId, userMessages: 1, botMessages: 2, interactions: 3 });
  });

  it('gives the handler the stamp and a ref any tracker call accepts', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker, {
      userIdOf: (req) => req.headers['x-user'] as string | undefined,
      onMessage: (_text, ctx) => `stamp ${ctx.botSession?.sessionId} user ${ctx.ref.userId}`,
    });
    const token = await open();
    const answer = await post('message', { token, text: 'hi' }, { 'X-User': 'u-7' });
    expect(answer.body.replies[0].text).toBe(`stamp ${answer.body.message.sessionId} user u-7`);
    const session = await tracker.get({ channel: 'web', conversationId: answer.body.conversationId });
    expect(session?.userId).toBe('u-7');
  });

  it('keeps a reply sent with ctx.send before a handoff in the session the handoff ends', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker, {
      onMessage: async (_text, ctx) => {
        await ctx.send('Connecting you to a person…');
        await tracker.handoff(refOf(ctx));
      },
    });
    const token = await open();
    const answer = await post('message', { token, text: 'agent please' });
    const sessionId = answer.body.message.sessionId;
    expect(answer.body.replies).toEqual([{ text: 'Connecting you to a person…', sessionId }]);
    expect(served!.ends.map((s) => [s.id, s.endReason, s.botMessages])).toEqual([[sessionId, 'handoff', 1]]);
    expect(served!.starts).toHaveLength(1);
  });

  it('sends but does not count a reply returned after a handoff, and opens no new session', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker, {
      onMessage: async (_text, ctx) => {
        await tracker.handoff(refOf(ctx));
        return ['An agent will answer you here.', 'Thanks for waiting.'];
      },
    });
    const token = await open();
    const answer = await post('message', { token, text: 'agent please' });
    const sessionId = answer.body.message.sessionId;
    // Stamped with the session they answer, which the handoff ended.
    expect(answer.body.replies).toEqual([
      { text: 'An agent will answer you here.', sessionId },
      { text: 'Thanks for waiting.', sessionId },
    ]);
    expect(answer.body.sessionId).toBe(sessionId);
    expect(served!.ends.map((s) => [s.id, s.endReason, s.botMessages])).toEqual([[sessionId, 'handoff', 0]]);
    expect(served!.starts).toHaveLength(1);
    expect(await tracker.get({ channel: 'web', conversationId: answer.body.conversationId })).toBeUndefined();
  });

  it('refuses a forged or tampered conversation token with 403 and tracks nothing', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const token = await open();
    const [id, signature] = token.split('.') as [string, string];
    const otherId = `w_${'A'.repeat(24)}`;
    for (const forged of [
      `${otherId}.${signature}`, // someone else's id with my signature
      `${id}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, // tampered signature
      otherId, // a bare id
    ]) {
      for (const path of ['message', 'close', 'open']) {
        const refused = await post(path, { token: forged, text: 'hi' });
        expect(refused.status, `${path} ${forged}`).toBe(403);
      }
    }
    // A genuine token of a server with another secret is not a token of this one.
    const elsewhere = await serve(createSessionTracker(), {
      secret: 'another-secret-another-secret-another',
    });
    const foreign = (await (await fetch(`${elsewhere.url}/botsession/open`, { method: 'POST' })).json()) as {
      token: string;
    };
    await elsewhere.close();
    expect((await post('message', { token: foreign.token, text: 'hi' })).status).toBe(403);
    expect(served!.starts).toEqual([]);
  });

  it('answers 400, 413 and 415 with the problem named', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker, { maxBodyBytes: 200, maxTextLength: 10 });
    const token = await open();
    expect(await post('message', { text: 'hi' })).toEqual({
      status: 400,
      body: { error: 'token is required' },
    });
    expect((await post('message', { token, text: '' })).body.error).toMatch(
      /^text must be a non-empty string/,
    );
    expect((await post('message', { token, text: 'x'.repeat(11) })).body.error).toBe(
      'text must be at most 10 characters, got 11',
    );
    const notJson = await post('message', '{nope');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^request body is not valid JSON: /);
    expect((await post('message', [1])).body.error).toBe('request body must be a JSON object');
    expect((await post('message', { token, text: 'x'.repeat(300) })).status).toBe(413);
    expect(
      (await post('message', 'a=b', { 'Content-Type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
    const wrongMethod = await fetch(`${served!.url}/botsession/message`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(served!.starts).toEqual([]);
  });

  it('ends the session closed on a sendBeacon-style text/plain close', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const token = await open();
    const { body } = await post('message', { token, text: 'hi' });
    const closed = await post('close', JSON.stringify({ token }), {
      'Content-Type': 'text/plain;charset=UTF-8',
    });
    expect(closed).toEqual({
      status: 200,
      body: { conversationId: body.conversationId, sessionId: body.sessionId, ended: true },
    });
    expect(served!.ends.map((s) => [s.id, s.endReason])).toEqual([[body.sessionId, 'closed']]);
    // Closing again finds no session: nothing more ends.
    expect((await post('close', { token })).body.ended).toBe(false);
    expect(served!.ends).toHaveLength(1);
  });

  it('resumes a conversation on open with its token, with the active session', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const token = await open();
    const { body } = await post('message', { token, text: 'hi' });
    const resumed = await post('open', { token });
    expect(resumed.body).toEqual({
      token,
      conversationId: body.conversationId,
      sessionId: body.sessionId,
      resumed: true,
    });
  });

  it('ends the session interrupted when the bot handler throws, and the next message starts a new one', async () => {
    tracker = createSessionTracker();
    let fail = true;
    served = await serve(tracker, {
      onMessage: () => {
        if (fail) throw new Error('CRM integration down');
        return 'ok';
      },
    });
    const token = await open();
    const failed = await post('message', { token, text: 'hi' });
    expect(failed).toEqual({ status: 500, body: { error: 'the bot failed to answer' } });
    expect(served!.ends.map((s) => s.endReason)).toEqual(['interrupted']);
    fail = false;
    const next = await post('message', { token, text: 'again' });
    expect(next.body.message.isNew).toBe(true);
    expect(next.body.sessionId).not.toBe(served!.ends[0]!.id);
  });

  it('passes a bot error to next() when mounted as middleware', async () => {
    tracker = createSessionTracker();
    const chat = webChannel({
      tracker,
      secret: SECRET,
      onMessage: () => {
        throw new Error('boom');
      },
    });
    const seen: unknown[] = [];
    const local = await listenLocal((req, res) =>
      chat(req, res, (error) => {
        seen.push(error);
        res.writeHead(error ? 502 : 404).end();
      }),
    );
    const { url } = local;
    served = { ...local, ends: [], starts: [] };
    const { token } = (await (await fetch(`${url}/open`, { method: 'POST' })).json()) as { token: string };
    const res = await fetch(`${url}/message`, {
      method: 'POST',
      body: JSON.stringify({ token, text: 'hi' }),
    });
    expect(res.status).toBe(502);
    expect((seen[0] as Error).message).toBe('boom');
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
    expect(seen[1]).toBeUndefined();
  });

  it('still answers when the store is down: no stamp, and the tracker emits error', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    const errors: Error[] = [];
    tracker.on('error', (error) => errors.push(error));
    const stamps: unknown[] = [];
    served = await serve(tracker, {
      onMessage: (text, ctx) => {
        stamps.push(ctx.botSession);
        return `echo: ${text}`;
      },
    });
    const token = await open();
    const answer = await post('message', { token, text: 'hi' });
    expect(answer.status).toBe(200);
    expect(answer.body.replies).toEqual([{ text: 'echo: hi', sessionId: null }]);
    expect(stamps).toEqual([undefined]);
    expect(errors.map((e) => e.name)).toEqual(['StoreUnavailableError', 'StoreUnavailableError']);
    expect((await post('close', { token })).status).toBe(503);
  });

  it('serves the widget script, gzipped when asked, with an ETag', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const res = await fetch(`${served!.url}/botsession/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-encoding')).toBe('gzip'); // undici asks for gzip and decodes it
    expect(await res.text()).toContain('Close chat');
    const again = await fetch(`${served!.url}/botsession/widget.js`, {
      headers: { 'If-None-Match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('expires a token after tokenLifetimeMs (403, the widget then opens a new conversation)', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const token = await open();
    const conversationId = token.split('.')[0]!;
    // The same conversation, signed by this server's secret, but issued 25 h ago.
    const issuedAt = (Date.now() - 25 * 3_600_000).toString(36);
    const signature = createHmac('sha256', SECRET)
      .update(`botsession-web:${conversationId}:${issuedAt}`)
      .digest('base64url');
    const old = `${conversationId}.${issuedAt}.${signature}`;
    expect(await post('message', { token: old, text: 'hi' })).toEqual({
      status: 403,
      body: { error: 'token has expired; open a new conversation' },
    });
    // 13 h old: still valid, and renewed (same conversation, fresh token) in the answer.
    const halfIssued = (Date.now() - 13 * 3_600_000).toString(36);
    const half = `${conversationId}.${halfIssued}.${createHmac('sha256', SECRET).update(`botsession-web:${conversationId}:${halfIssued}`).digest('base64url')}`;
    const renewed = await post('message', { token: half, text: 'hi' });
    expect(renewed.status).toBe(200);
    expect(renewed.body.conversationId).toBe(conversationId);
    expect(renewed.body.token).toMatch(new RegExp(`^${conversationId}\\.`));
    expect(renewed.body.token).not.toBe(half);
    // A fresh token is not renewed.
    expect((await post('message', { token, text: 'again' })).body.token).toBeUndefined();
  });

  it('accepts tokens of a previous secret during a rotation and renews them with the new one', async () => {
    const before = await serve(createSessionTracker());
    const { token } = (await (await fetch(`${before.url}/botsession/open`, { method: 'POST' })).json()) as {
      token: string;
    };
    await before.close();
    tracker = createSessionTracker();
    served = await serve(tracker, {
      secret: 'the-new-secret-the-new-secret-the-new',
      previousSecrets: [SECRET],
    });
    const answer = await post('message', { token, text: 'hi' });
    expect(answer.status).toBe(200);
    expect(answer.body.conversationId).toBe(token.split('.')[0]);
    const renewed = answer.body.token as string;
    expect(renewed).not.toBe(token);
    expect((await post('message', { token: renewed, text: 'again' })).body.sessionId).toBe(
      answer.body.sessionId,
    );
    // Without the old secret listed, the same token is refused.
    await served!.close();
    served = await serve(tracker, { secret: 'the-new-secret-the-new-secret-the-new' });
    expect((await post('message', { token, text: 'hi' })).status).toBe(403);
  });

  it('answers 429 with Retry-After past the new-session limit of one client, and keeps its sessions going', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker, { newSessionLimit: { perMinute: 1, burst: 2 } });
    const tokens = [await open(), await open(), await open()];
    const first = await post('message', { token: tokens[0], text: 'one' });
    expect(first.status).toBe(200);
    expect((await post('message', { token: tokens[1], text: 'two' })).status).toBe(200);
    const res = await fetch(`${served!.url}/botsession/message`, {
      method: 'POST',
      body: JSON.stringify({ token: tokens[2], text: 'three' }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(served!.starts).toHaveLength(2);
    // A message inside an open session still counts.
    const more = await post('message', { token: tokens[0], text: 'more' });
    expect(more.status).toBe(200);
    expect(more.body.sessionId).toBe(first.body.sessionId);
    const session = await tracker.get({ channel: 'web', conversationId: first.body.conversationId });
    expect(session?.userMessages).toBe(2);
  });

  it('is same-origin by default: another origin gets 403 and no CORS header; an allowed one gets its origin', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const from = (origin: string, path = 'open', method = 'POST') =>
      fetch(`${served!.url}/botsession/${path}`, { method, headers: { origin } });
    const foreign = await from('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect((await from(served!.url)).status).toBe(200);
    expect((await from('https://evil.example', 'widget.js', 'GET')).status).toBe(200); // the script is public
    await served!.close();
    served = await serve(tracker, { allowedOrigins: ['https://shop.example'] });
    const allowed = await from('https://shop.example');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('vary')).toBe('Origin');
    expect((await from('https://shop.example', 'message', 'OPTIONS')).status).toBe(204);
    expect((await from('https://evil.example', 'message', 'OPTIONS')).status).toBe(403);
  });

  it('never lets a handler error out of the handler: onError gets it with the conversation', async () => {
    tracker = createSessionTracker();
    const boom = new Error('boom');
    const told: Array<[unknown, string | undefined]> = [];
    served = await serve(tracker, {
      onMessage: () => {
        throw boom;
      },
      onError: (error, context) => told.push([error, context.conversationId]),
    });
    const token = await open();
    expect(await post('message', { token, text: 'hi' })).toEqual({
      status: 500,
      body: { error: 'the bot failed to answer' },
    });
    expect(told).toEqual([[boom, token.split('.')[0]]]);
  });

  it('counts a retried message once: same messageId, same stamp, redelivered, replies counted once', async () => {
    tracker = createSessionTracker();
    let runs = 0;
    served = await serve(tracker, {
      onMessage: (text) => {
        runs += 1;
        return [`one: ${text}`, 'two'];
      },
    });
    const token = await open();
    const first = await post('message', { token, text: 'hello', messageId: 'msg_0123456789abcdefghij' });
    const retry = await post('message', { token, text: 'hello', messageId: 'msg_0123456789abcdefghij' });
    expect(first.body.message).toMatchObject({ isNew: true, redelivered: false });
    expect(retry.body.message).toEqual({
      text: 'hello',
      sessionId: first.body.sessionId,
      isNew: false,
      redelivered: true,
    });
    expect(retry.body.replies).toEqual(first.body.replies); // the bot answered again (it ran twice)
    expect(runs).toBe(2);
    const session = await tracker.get({ channel: 'web', conversationId: first.body.conversationId });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 2, interactions: 3 });
    // Another id is another message.
    await post('message', { token, text: 'hello', messageId: 'msg_another_0123456789' });
    expect(
      (await tracker.get({ channel: 'web', conversationId: first.body.conversationId }))?.userMessages,
    ).toBe(2);
  });

  it('opens no second session when a message is retried after the bot failed on it', async () => {
    tracker = createSessionTracker();
    let fail = true;
    const stamps: unknown[] = [];
    served = await serve(tracker, {
      onMessage: (_text, ctx) => {
        stamps.push(ctx.botSession?.session.status);
        if (fail) throw new Error('CRM down');
        return 'ok';
      },
    });
    const token = await open();
    const messageId = 'msg_failing_0123456789';
    expect((await post('message', { token, text: 'hi', messageId })).status).toBe(500);
    expect(served!.ends.map((s) => s.endReason)).toEqual(['interrupted']);
    fail = false;
    const retry = await post('message', { token, text: 'hi', messageId });
    expect(retry.status).toBe(200);
    // The handler ran with the ended session's stamp; its reply counts nowhere, nothing opens.
    expect(stamps).toEqual(['active', 'ended']);
    expect(retry.body.message).toMatchObject({ sessionId: served!.ends[0]!.id, redelivered: true });
    expect(served!.starts).toHaveLength(1);
    expect(await tracker.get({ channel: 'web', conversationId: retry.body.conversationId })).toBeUndefined();
  });

  it('ends one session for a close sent twice with one id (fetch, then the beacon fallback)', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const token = await open();
    await post('message', { token, text: 'one' });
    const closing = { token, messageId: 'close_0123456789abcdef' };
    expect((await post('close', closing)).body.ended).toBe(true);
    await post('message', { token, text: 'two' }); // a new session in the same conversation
    expect((await post('close', closing)).body.ended).toBe(false);
    expect(served!.ends).toHaveLength(1);
    expect(served!.starts).toHaveLength(2);
  });

  it('answers 400 to a messageId that is not 8 to 64 base64url characters', async () => {
    tracker = createSessionTracker();
    served = await serve(tracker);
    const token = await open();
    for (const messageId of ['short', 'x'.repeat(65), 'has space in it!', 42]) {
      const refused = await post('message', { token, text: 'hi', messageId });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatch(/^messageId must be 8 to 64 characters/);
    }
    expect(served!.starts).toEqual([]);
  });

  it('throws a ConfigError naming the field for bad options', () => {
    tracker = createSessionTracker();
    const base = { tracker, secret: SECRET, onMessage: () => 'hi' };
    const fieldOf = (options: object) => {
      try {
        webChannel(options as never);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return [(error as ConfigError).field, (error as Error).message];
      }
      return undefined;
    };
    expect(fieldOf({ ...base, secret: 'short' })).toEqual([
      'secret',
      'secret must be a string of at least 32 characters, got 5 characters',
    ]);
    expect(fieldOf({ ...base, onMessage: 'hi' })?.[0]).toBe('onMessage');
    expect(fieldOf({ ...base, tracker: {} })?.[0]).toBe('tracker');
    expect(fieldOf({ ...base, basePath: 'chat/' })?.[0]).toBe('basePath');
    expect(fieldOf({ ...base, maxBodyBytes: -1 })).toEqual([
      'maxBodyBytes',
      'maxBodyBytes must be a positive integer, got -1',
    ]);
    expect(fieldOf({ ...base, channel: 'web2' })?.[0]).toBe('channel');
    expect(fieldOf({ ...base, allowOrigin: '*' })).toEqual([
      'allowOrigin',
      "allowOrigin must list origins; '*' would let any site use the API",
    ]);
    expect(fieldOf({ ...base, allowedOrigins: ['shop.example'] })?.[0]).toBe('allowedOrigins');
    expect(fieldOf({ ...base, allowOrigin: 'https://a.example', allowedOrigins: [] })?.[0]).toBe(
      'allowOrigin',
    );
    expect(fieldOf({ ...base, previousSecrets: ['short'] })?.[0]).toBe('previousSecrets[0]');
    expect(fieldOf({ ...base, tokenLifetimeMs: 0 })?.[0]).toBe('tokenLifetimeMs');
    expect(fieldOf({ ...base, readTimeoutMs: -5 })?.[0]).toBe('readTimeoutMs');
    expect(fieldOf({ ...base, bodyLimitBytes: 10, maxBodyBytes: 10 })?.[0]).toBe('maxBodyBytes');
    expect(fieldOf({ ...base, newSessionLimit: { perMinute: -1 } })?.[0]).toBe('newSessionLimit.perMinute');
    expect(
      fieldOf({ ...base, newSessionLimit: false, bodyLimitBytes: 4096, allowOrigin: 'https://a.example' }),
    ).toBeUndefined();
    expect(fieldOf(base)).toBeUndefined();
  });
});
