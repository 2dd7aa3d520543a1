import type { RequestListener } from 'node:http';
import { ConfigError, createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import {
  type HelpAnswer,
  type HelpCenterOptions,
  type HelpEvent,
  type HelpEventContext,
  helpCenter,
  refOf,
} from '@botsession/help';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type LocalServer, listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';

const TAB = 'tab_0123456789abcdefXYZ';
const OPEN = { type: 'open', article: 'reset-password', via: 'click' } as const;
const SEARCH = { type: 'search' } as const;

let server: LocalServer | undefined;

/** An answer of the events API, or of a refusal. */
function json(res: Response): Promise<HelpAnswer & { error?: string; field?: string }> {
  return res.json() as Promise<HelpAnswer & { error?: string; field?: string }>;
}
let tracker: SessionTracker | undefined;

afterEach(async () => {
  await server?.close();
  await tracker?.close();
  server = undefined;
  tracker = undefined;
});

/** A help handler behind a real HTTP server on 127.0.0.1:0. */
async function serve(
  options: Partial<HelpCenterOptions> = {},
  listener?: (help: ReturnType<typeof helpCenter>) => RequestListener,
) {
  tracker = options.tracker ?? createSessionTracker();
  const starts: Session[] = [];
  const ends: Session[] = [];
  const errors: Error[] = [];
  tracker.on('sessionStart', (s) => void starts.push(s));
  tracker.on('sessionEnd', (s) => void ends.push(s));
  tracker.on('error', (e) => void errors.push(e));
  const help = helpCenter({ ...options, tracker });
  const unhandled: unknown[] = [];
  server = await listenLocal(
    listener?.(help) ??
      ((req, res) => {
        help(req, res).catch((error) => unhandled.push(error));
      }),
  );
  const { url } = server;
  const post = (body: unknown, path = '/botsession/events', type = 'application/json') =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { url, post, starts, ends, errors, unhandled, tracker };
}

describe('helpCenter: the tracker script', () => {
  it('serves the browser script at basePath/tracker.js', async () => {
    const { url } = await serve({ basePath: '/help/' });
    const res = await fetch(`${url}/help/tracker.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await res.text();
    expect(source).toContain('botsession:stamp');
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
    const head = await fetch(`${url}/help/tracker.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${url}/botsession/tracker.js`)).status).toBe(404);
  });

  it('hands other paths to next, or answers 404 without it', async () => {
    const { url } = await serve({}, (help) => (req, res) => {
      void help(req, res, () => res.writeHead(200).end('the site'));
    });
    expect(await (await fetch(`${url}/articles/x`)).text()).toBe('the site');
    await server!.close();
    server = undefined;
    const plain = await serve();
    expect((await fetch(`${plain.url}/articles/x`)).status).toBe(404);
  });
});

describe('helpCenter: the events API', () => {
  it('starts a session when an article is opened, and counts later opens in it', async () => {
    const { post, starts, tracker } = await serve();
    const first = await post({ tabId: TAB, events: [OPEN] });
    expect(first.status).toBe(200);
    const a = await json(first);
    expect(a).toMatchObject({ isNew: true, interactions: 1 });
    expect(a.expiresAt).toBeGreaterThan(a.now!);
    const b = await json(
      await post({ tabId: TAB, events: [{ ...OPEN, article: 'billing', via: 'suggested' }] }),
    );
    expect(b).toMatchObject({ sessionId: a.sessionId, isNew: false, interactions: 2 });
    expect(starts.map((s) => [s.channel, s.conversationId])).toEqual([['help', TAB]]);
    expect((await tracker.get(refOf({ tabId: TAB })))?.id).toBe(a.sessionId);
  });

  it('holds searches when no session is active: a search alone starts nothing', async () => {
    const { post, starts, tracker } = await serve();
    const res = await post({ tabId: TAB, events: [SEARCH, SEARCH] });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ held: true });
    expect(starts).toEqual([]);
    expect(await tracker.get(refOf({ tabId: TAB }))).toBeUndefined();
  });

  it('counts held searches with the open that follows them as interactions of the new session', async () => {
    const { post, starts } = await serve();
    const answer = await json(
      await post({ tabId: TAB, events: [SEARCH, SEARCH, { ...OPEN, via: 'search' }] }),
    );
    expect(answer).toMatchObject({ isNew: true, interactions: 3 });
    expect(starts).toHaveLength(1);
  });

  it('counts searches as interactions of the session already active in the tab', async () => {
    const { post } = await serve();
    const opened = await json(await post({ tabId: TAB, events: [OPEN] }));
    const searched = await post({ tabId: TAB, events: [SEARCH] });
    expect(searched.status).toBe(200);
    expect(await json(searched)).toMatchObject({
      sessionId: opened.sessionId,
      isNew: false,
      interactions: 2,
    });
  });

  it('keeps tabs apart: another tab id is another conversation and another session', async () => {
    const { post, starts } = await serve();
    const a = await json(await post({ tabId: TAB, events: [OPEN] }));
    const b = await json(await post({ tabId: `${TAB}2`, events: [OPEN] }));
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(starts).toHaveLength(2);
  });

  it('accepts a beacon body sent as text/plain', async () => {
    const { post } = await serve();
    const res = await post(
      JSON.stringify({ tabId: TAB, events: [OPEN] }),
      undefined,
      'text/plain;charset=UTF-8',
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ isNew: true });
  });

  it('puts the site user on the session when userIdOf knows one', async () => {
    const { post, starts } = await serve({ userIdOf: (req) => req.headers['x-user'] as string | undefined });
    await post({ tabId: TAB, events: [OPEN] });
    expect(starts[0]?.userId).toBeUndefined();
    await fetch(`${server!.url}/botsession/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'u-7' },
      body: JSON.stringify({ tabId: `${TAB}u`, events: [OPEN] }),
    });
    expect(starts[1]?.userId).toBe('u-7');
  });

  it('ends the session with a shortened inactivity timeout, then a new open starts another', async () => {
    const { post, ends, starts } = await serve({
      tracker: createSessionTracker({ channels: { help: { inactivityTimeoutMs: 150 } } }),
    });
    const first = await json(await post({ tabId: TAB, events: [OPEN] }));
    await expect.poll(() => ends.length, { timeout: 3000 }).toBe(1);
    expect(ends[0]).toMatchObject({ id: first.sessionId, endReason: 'inactivity', endedAt: first.expiresAt });
    expect((await post({ tabId: TAB, events: [SEARCH] })).status).toBe(202);
    const second = await json(await post({ tabId: TAB, events: [OPEN] }));
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(starts).toHaveLength(2);
  });
});

describe('helpCenter: refusals', () => {
  const bad: Array<[string, unknown, string]> = [
    ['a short tab id', { tabId: 'abc', events: [OPEN] }, 'tabId'],
    ['a tab id with other characters', { tabId: 'tab id with spaces!!', events: [OPEN] }, 'tabId'],
    ['a tab id that is too long', { tabId: 'x'.repeat(65), events: [OPEN] }, 'tabId'],
    ['a tab id that is not a string', { tabId: 12345678901234, events: [OPEN] }, 'tabId'],
    ['no events', { tabId: TAB, events: [] }, 'events'],
    ['too many events', { tabId: TAB, events: Array(51).fill(SEARCH) }, 'events'],
    ['an unknown event type', { tabId: TAB, events: [{ type: 'scroll' }] }, 'events[0].type'],
    [
      'an open without an article',
      { tabId: TAB, events: [SEARCH, { type: 'open', via: 'click' }] },
      'events[1].article',
    ],
    ['an open with an unknown via', { tabId: TAB, events: [{ ...OPEN, via: 'teleport' }] }, 'events[0].via'],
    ['a JSON array', [TAB], 'body'],
    ['text that is not JSON', '{"tabId":', 'body'],
  ];
  for (const [what, body, field] of bad) {
    it(`answers 400 naming the field for ${what}, and tracks nothing`, async () => {
      const { post, starts } = await serve();
      const res = await post(body);
      expect(res.status).toBe(400);
      const answer = await json(res);
      expect(answer.field).toBe(field);
      expect(answer.error).toContain(field);
      expect(starts).toEqual([]);
    });
  }

  it('answers 405 to anything but POST on the events path', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/botsession/events`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('answers 415 to a body that is neither JSON nor a beacon', async () => {
    const { post } = await serve();
    const res = await post(`tabId=${TAB}`, undefined, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
  });

  it('answers 413 to a body over maxBodyBytes', async () => {
    const { post, starts } = await serve({ maxBodyBytes: 1024 });
    const res = await post({ tabId: TAB, events: [{ ...OPEN, article: 'a'.repeat(2000) }] });
    expect(res.status).toBe(413);
    expect(starts).toEqual([]);
  });
});

describe('helpCenter: failures', () => {
  it('still calls onEvent without a stamp when the store is down, and the tracker emits error', async () => {
    const seen: Array<[HelpEvent, HelpEventContext['stamp']]> = [];
    const { post, errors } = await serve({
      tracker: createSessionTracker({ backend: unavailableBackend() }),
      onEvent: (event, { stamp }) => void seen.push([event, stamp]),
    });
    const res = await post({ tabId: TAB, events: [OPEN] });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ sessionId: null });
    expect(seen).toEqual([[OPEN, undefined]]);
    expect(errors.map((e) => e.name)).toEqual(['StoreUnavailableError']);
  });

  it('holds searches when the store is down (nothing can say a session is active)', async () => {
    const { post, errors } = await serve({
      tracker: createSessionTracker({ backend: unavailableBackend() }),
    });
    expect((await post({ tabId: TAB, events: [SEARCH] })).status).toBe(202);
    expect(errors).toHaveLength(1);
  });

  it('ends the session as interrupted when onEvent throws, answers 500 and logs it; the promise never rejects', async () => {
    const boom = new Error('analytics pipeline failed');
    let calls = 0;
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const { post, ends, unhandled } = await serve({
        onEvent: () => {
          calls += 1;
          if (calls === 2) throw boom;
        },
      });
      const first = await json(await post({ tabId: TAB, events: [OPEN] }));
      const res = await post({ tabId: TAB, events: [SEARCH] });
      expect(res.status).toBe(500);
      expect(ends).toMatchObject([{ id: first.sessionId, endReason: 'interrupted' }]);
      expect(unhandled).toEqual([]);
      expect(logged).toEqual([['[@botsession/help]', boom]]);
      const next = await json(await post({ tabId: TAB, events: [OPEN] }));
      expect(next).toMatchObject({ isNew: true });
    } finally {
      console.error = original;
    }
  });

  it('gives a throw of onEvent to onError with the tab and the event, even with next', async () => {
    const boom = new Error('analytics pipeline failed');
    const told: Array<[unknown, unknown, unknown, string]> = [];
    const { post } = await serve(
      {
        onEvent: () => {
          throw boom;
        },
        onError: (error, context) =>
          told.push([error, context.source?.tabId, context.event, context.connector]),
      },
      (help) => (req, res) => {
        void help(req, res, () => res.writeHead(599).end());
      },
    );
    expect((await post({ tabId: TAB, events: [OPEN] })).status).toBe(500);
    expect(told).toEqual([[boom, TAB, OPEN, '@botsession/help']]);
  });

  it('passes the error of onEvent to next under Express/Connect', async () => {
    const boom = new Error('handler failed');
    const passed: unknown[] = [];
    const { post, ends } = await serve(
      {
        onEvent: () => {
          throw boom;
        },
      },
      (help) => (req, res) => {
        void help(req, res, (error) => {
          passed.push(error);
          res.writeHead(503).end();
        });
      },
    );
    expect((await post({ tabId: TAB, events: [OPEN] })).status).toBe(503);
    expect(passed).toEqual([boom]);
    expect(ends.map((s) => s.endReason)).toEqual(['interrupted']);
  });
});

describe('helpCenter: event ids (a batch sent again counts once)', () => {
  const id = (n: number) => `evt_${String(n).padStart(18, '0')}`;

  it('counts a batch sent twice with the same event ids once, and still calls onEvent', async () => {
    const stamps: Array<[string | undefined, boolean | undefined]> = [];
    const { post, starts, tracker } = await serve({
      onEvent: (_event, { stamp }) => void stamps.push([stamp?.sessionId, stamp?.redelivered]),
    });
    const batch = {
      tabId: TAB,
      events: [
        { ...OPEN, id: id(1) },
        { ...SEARCH, id: id(2) },
      ],
    };
    const first = await json(await post(batch));
    const again = await json(await post(batch));
    expect(again.sessionId).toBe(first.sessionId);
    expect(again.interactions).toBe(2);
    expect(starts).toHaveLength(1);
    expect(stamps).toEqual([
      [first.sessionId, false],
      [first.sessionId, false],
      [first.sessionId, true],
      [first.sessionId, true],
    ]);
    // The same batch plus a new event: only the new one counts.
    const more = await json(await post({ tabId: TAB, events: [...batch.events, { ...SEARCH, id: id(3) }] }));
    expect(more.interactions).toBe(3);
    expect((await tracker.get(refOf({ tabId: TAB })))?.interactions).toBe(3);
  });

  it('refuses an event id that is not 8 to 64 base64url characters, naming the field', async () => {
    const { post, starts } = await serve();
    const res = await post({ tabId: TAB, events: [OPEN, { ...SEARCH, id: 'no spaces allowed' }] });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ field: 'events[1].id' });
    expect(starts).toEqual([]);
  });
});

describe('helpCenter: abuse limits', () => {
  it('answers 429 with Retry-After past the new-session limit of one client, and still counts inside its sessions', async () => {
    const { post, starts } = await serve({ newSessionLimit: { perMinute: 1, burst: 2 } });
    const tab = (n: number) => `${TAB}${n}`;
    expect((await post({ tabId: tab(1), events: [OPEN] })).status).toBe(200);
    expect((await post({ tabId: tab(2), events: [OPEN] })).status).toBe(200);
    const refused = await post({ tabId: tab(3), events: [OPEN] });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json(refused)).error).toMatch(/^too many new sessions/);
    expect(starts).toHaveLength(2);
    // The open sessions go on: more articles and searches in tab 1 still count.
    const inside = await json(await post({ tabId: tab(1), events: [SEARCH, OPEN] }));
    expect(inside).toMatchObject({ isNew: false, interactions: 3 });
  });

  it('keys the limit with keyOf, and gives a token back when the event opened no session', async () => {
    const { post, starts } = await serve({
      newSessionLimit: { perMinute: 1, burst: 1, keyOf: (req) => req.headers['x-visitor'] as string },
    });
    const as = (visitor: string, tabId: string) =>
      fetch(`${server!.url}/botsession/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-visitor': visitor },
        body: JSON.stringify({ tabId, events: [OPEN] }),
      });
    expect((await as('a', `${TAB}a`)).status).toBe(200);
    expect((await as('a', `${TAB}a`)).status).toBe(200); // same session: the token came back
    expect((await as('a', `${TAB}b`)).status).toBe(429);
    expect((await as('b', `${TAB}c`)).status).toBe(200);
    expect(starts).toHaveLength(2);
    expect((await post({ tabId: `${TAB}d`, events: [OPEN] })).status).toBe(200); // no x-visitor: no key, no limit
  });

  it('refuses events from another origin with 403 unless allowed, and answers the allowed one with CORS', async () => {
    const { url, starts } = await serve({ allowedOrigins: ['https://docs.example'] });
    const from = (origin: string, method = 'POST') =>
      fetch(`${url}/botsession/events`, {
        method,
        headers: { 'content-type': 'application/json', origin },
        ...(method === 'POST' ? { body: JSON.stringify({ tabId: TAB, events: [OPEN] }) } : {}),
      });
    const foreign = await from('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(starts).toEqual([]);
    const same = await from(url);
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull(); // same origin needs none
    const allowed = await from('https://docs.example');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://docs.example');
    const preflight = await from('https://docs.example', 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect((await from('https://evil.example', 'OPTIONS')).status).toBe(403);
  });
});

describe('helpCenter: configuration', () => {
  const t = createSessionTracker();
  afterAll(() => t.close());
  const cases: Array<[string, unknown, string]> = [
    ['no tracker', {}, 'tracker'],
    ['an unknown option', { tracker: t, basepath: '/x' }, 'basepath'],
    ['a basePath without a leading slash', { tracker: t, basePath: 'help' }, 'basePath'],
    ['a basePath with a query', { tracker: t, basePath: '/help?x=1' }, 'basePath'],
    ['an onEvent that is not a function', { tracker: t, onEvent: 'log' }, 'onEvent'],
    ['a tiny maxBodyBytes', { tracker: t, maxBodyBytes: 10 }, 'maxBodyBytes'],
    ['a tiny bodyLimitBytes', { tracker: t, bodyLimitBytes: 10 }, 'bodyLimitBytes'],
    [
      'both names of the body limit',
      { tracker: t, bodyLimitBytes: 4096, maxBodyBytes: 4096 },
      'maxBodyBytes',
    ],
    ['a zero readTimeoutMs', { tracker: t, readTimeoutMs: 0 }, 'readTimeoutMs'],
    ['an onError that is not a function', { tracker: t, onError: true }, 'onError'],
    ['allowedOrigins with *', { tracker: t, allowedOrigins: ['*'] }, 'allowedOrigins'],
    [
      'allowedOrigins with a path',
      { tracker: t, allowedOrigins: ['https://docs.example/help'] },
      'allowedOrigins',
    ],
    [
      'a newSessionLimit without a rate',
      { tracker: t, newSessionLimit: { burst: 3 } },
      'newSessionLimit.perMinute',
    ],
    [
      'a newSessionLimit with an unknown field',
      { tracker: t, newSessionLimit: { perMinute: 3, per: 1 } },
      'newSessionLimit.per',
    ],
  ];
  for (const [what, options, field] of cases) {
    it(`throws ConfigError naming ${field} for ${what}`, () => {
      let thrown: unknown;
      try {
        helpCenter(options as HelpCenterOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).field).toBe(field);
      expect((thrown as Error).message).toContain(field);
    });
  }
});
