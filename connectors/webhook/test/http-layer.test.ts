import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '@botsession/core';
import {
  checkHttpOptions,
  decodePathSegment,
  type HttpErrorContext,
  httpLayer,
  JSON_MEDIA_TYPES,
  type NextFunction,
  requestTargetOf,
  WebhookHttpError,
} from '@botsession/webhook';
import express from 'express';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { rawRequest } from '../../../test/support/raw-http.js';

afterEach(closeAllLocalServers);

describe('requestTargetOf', () => {
  it.each([
    ['/a/b?x=1#frag', '/a/b', 'x=1'],
    ['//evil.example/x', '//evil.example/x', ''],
    ['http://host.example/a?q', '/a', 'q'],
    ['HTTPS://host.example', '/', ''],
    ['/%zz/%', '/%zz/%', ''],
  ])('reads %s as path %s and query %s, still percent-encoded', (url, pathname, query) => {
    expect(requestTargetOf({ url })).toEqual({ pathname, query });
  });

  it.each([['*'], ['host.example:443'], [''], ['ftp://x/y'], ['http:/x']])('has no path for %o', (url) => {
    expect(requestTargetOf({ url })).toBeUndefined();
  });

  it('never throws, and any path it returns starts with /', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `/${s}`),
          fc.webUrl(),
        ),
        (url) => {
          const target = requestTargetOf({ url });
          if (target !== undefined) expect(target.pathname.startsWith('/')).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes path segments without throwing on bad percent-encoding', () => {
    expect(decodePathSegment('shop%2Ffr%20%231')).toBe('shop/fr #1');
    expect(decodePathSegment('%E0%A4%A')).toBeUndefined();
    expect(decodePathSegment('%')).toBeUndefined();
  });
});

/** A layer whose work is `work`, served on 127.0.0.1, with what its promises did recorded. */
async function serveLayer(
  work: Parameters<ReturnType<typeof httpLayer>['handler']>[0],
  options: { onError?: (error: unknown, context: HttpErrorContext) => void; next?: NextFunction } = {},
  limits = { bodyLimitBytes: 64, readTimeoutMs: 5000 },
) {
  const layer = httpLayer({ connector: '@botsession/test', ...limits, onError: options.onError });
  const handler = layer.handler(work);
  const settled: Array<'resolved' | 'rejected'> = [];
  const { url, port } = await listenLocal((req, res) => {
    const next =
      options.next &&
      ((error?: unknown) => {
        options.next!(error);
        // Like Express's final handler: answer what is still open.
        if (!res.headersSent) res.writeHead(502);
        if (!res.writableEnded) res.end();
      });
    handler(req, res, next).then(
      () => settled.push('resolved'),
      () => settled.push('rejected'),
    );
  });
  return { url, port, settled };
}

const boom = new Error('boom');
type Work = (exchange: { req: IncomingMessage; res: ServerResponse }) => Promise<void>;
const failures: Array<[string, Work]> = [
  [
    'throws synchronously',
    () => {
      throw boom;
    },
  ],
  ['rejects', async () => Promise.reject(boom)],
  [
    'throws after answering',
    async ({ res }) => {
      res.writeHead(200).end('ok');
      throw boom;
    },
  ],
  [
    'throws half-way through an answer',
    async ({ res }) => {
      res.writeHead(200);
      res.write('part');
      throw boom;
    },
  ],
];

describe('httpLayer: one error policy', () => {
  it.each(failures)(
    'when the work %s: onError gets it with the request, and the promise resolves',
    async (_what, work) => {
      const told: Array<[unknown, string, string | undefined]> = [];
      const { url, settled } = await serveLayer(work as never, {
        onError: (error, context) => told.push([error, context.connector, context.req.method]),
        next: () => {
          throw new Error('next must not be called when onError is set');
        },
      });
      const res = await fetch(url, { method: 'POST' });
      await res.text().catch(() => '');
      expect([200, 500]).toContain(res.status);
      await expect.poll(() => settled).toEqual(['resolved']);
      expect(told).toEqual([[boom, '@botsession/test', 'POST']]);
    },
  );

  it.each(failures)('when the work %s without onError: next gets it, else the log', async (_what, work) => {
    const chained: unknown[] = [];
    const withNext = await serveLayer(work as never, { next: (error) => void chained.push(error) });
    const first = await fetch(withNext.url, { method: 'POST' }).catch(() => undefined);
    await first?.text().catch(() => '');
    await expect.poll(() => chained).toEqual([boom]);
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const bare = await serveLayer(work as never);
      const res = await fetch(bare.url, { method: 'POST' });
      await res.text().catch(() => '');
      await expect.poll(() => logged).toEqual([['[@botsession/test]', boom]]);
      expect(bare.settled).toEqual(['resolved']);
    } finally {
      console.error = original;
    }
  });

  it('answers a bare 500 when nothing was answered, and refusals with their status and headers, unreported', async () => {
    const told: unknown[] = [];
    const failing = await serveLayer(
      async () => {
        throw boom;
      },
      { onError: (error) => void told.push(error) },
    );
    const res = await fetch(failing.url);
    expect([res.status, await res.text()]).toEqual([500, '{"error":"internal error"}']);
    const refusing = await serveLayer(
      async () => {
        throw new WebhookHttpError(429, 'slow down', { 'retry-after': '7' });
      },
      { onError: (error) => void told.push(error) },
    );
    const refused = await fetch(refusing.url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(await refused.json()).toEqual({ error: 'slow down' });
    expect(told).toEqual([boom]);
  });

  it('survives an onError that throws and a next that throws: logged, 500, resolved', async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const throwingOnError = await serveLayer(
        async () => {
          throw boom;
        },
        {
          onError: () => {
            throw new Error('logger down');
          },
        },
      );
      expect((await fetch(throwingOnError.url)).status).toBe(500);
      const throwingNext = await serveLayer(
        async () => {
          throw boom;
        },
        {
          next: () => {
            throw new Error('next broke');
          },
        },
      );
      expect((await fetch(throwingNext.url)).status).toBe(500);
      expect(logged.map((args) => (args[1] as Error).message)).toEqual(['logger down', 'next broke']);
      expect([...throwingOnError.settled, ...throwingNext.settled]).toEqual(['resolved', 'resolved']);
    } finally {
      console.error = original;
    }
  });

  it('reports failures recorded with fail() after the answer, each with its context', async () => {
    const told: Array<[unknown, unknown]> = [];
    const { url } = await serveLayer(
      async (exchange) => {
        (exchange as unknown as { fail: (e: unknown, c: object) => void }).fail(boom, { event: 1 });
        (exchange as unknown as { fail: (e: unknown, c: object) => void }).fail(boom, { event: 2 });
        exchange.res.writeHead(200).end();
      },
      {
        onError: (error, context) => void told.push([error, (context as unknown as { event: number }).event]),
      },
    );
    expect((await fetch(url)).status).toBe(200);
    await expect
      .poll(() => told)
      .toEqual([
        [boom, 1],
        [boom, 2],
      ]);
  });

  it("passes a failure to Express's error chain when mounted there without onError", async () => {
    const layer = httpLayer({ connector: 'x', bodyLimitBytes: 64, readTimeoutMs: 1000, onError: undefined });
    const app = express();
    app.use(
      layer.handler(async () => {
        throw boom;
      }),
    );
    const chained: unknown[] = [];
    app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      chained.push(error);
      res.status(502).end();
    });
    const { url } = await listenLocal(app);
    expect((await fetch(url)).status).toBe(502);
    expect(chained).toEqual([boom]);
  });
});

describe('httpLayer: bodies', () => {
  const echo = (accepted?: readonly string[]) =>
    serveLayer(
      async ({ res, ...exchange }) => {
        const raw = await (
          exchange as unknown as { readBody: (a?: readonly string[]) => Promise<Buffer> }
        ).readBody(accepted);
        res.end(raw);
      },
      {},
      { bodyLimitBytes: 64, readTimeoutMs: 300 },
    );

  it('answers 408 and closes the connection when a body trickles in slower than readTimeoutMs', async () => {
    const { port, settled } = await echo();
    const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n';
    const reply = await rawRequest(port, [head, 'ab'], { timeoutMs: 10_000 });
    expect(reply.status).toBe(408);
    expect(reply.text.toLowerCase()).toContain('connection: close');
    expect(reply.ended).toBe('closed');
    expect(settled).toEqual(['resolved']);
  });

  it('answers 413 with Connection: close to a declared or a chunked body over the limit', async () => {
    const { port, url } = await echo();
    const declared = await rawRequest(port, [
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n${'a'.repeat(65)}`,
    ]);
    expect(declared.status).toBe(413);
    expect(declared.text.toLowerCase()).toContain('connection: close');
    const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const chunked = await rawRequest(port, [
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      chunk('a'.repeat(40)),
      chunk('b'.repeat(40)),
      '0\r\n\r\n',
    ]);
    expect(chunked.status).toBe(413);
    // The server still answers a good request afterwards.
    expect(await (await fetch(url, { method: 'POST', body: 'fine' })).text()).toBe('fine');
  });

  it('answers 415 naming the media type when it is not accepted; +json types count as JSON', async () => {
    const { url } = await echo(JSON_MEDIA_TYPES);
    const refused = await fetch(url, {
      method: 'POST',
      body: 'a=b',
      headers: { 'content-type': 'text/html' },
    });
    expect(refused.status).toBe(415);
    expect(await refused.json()).toEqual({
      error: 'content-type must be application/json or application/*+json, got "text/html"',
    });
    const missing = await fetch(url, { method: 'POST', body: new Uint8Array([1]) });
    expect(missing.status).toBe(415);
    const problem = await fetch(url, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    });
    expect(await problem.text()).toBe('{}');
  });
});

describe('checkHttpOptions', () => {
  const fieldOf = (options: object) => {
    try {
      checkHttpOptions(options);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return [(error as ConfigError).field, (error as Error).message];
    }
    return undefined;
  };

  it('fills the defaults: 1 MiB (or the connector’s own), 10 s, no onError', () => {
    expect(checkHttpOptions({})).toEqual({
      bodyLimitBytes: 1024 * 1024,
      readTimeoutMs: 10_000,
      onError: undefined,
    });
    expect(checkHttpOptions({}, 16 * 1024).bodyLimitBytes).toBe(16 * 1024);
  });

  it('names the field of a bad value', () => {
    expect(fieldOf({ readTimeoutMs: 0 })).toEqual([
      'readTimeoutMs',
      'readTimeoutMs must be a whole number of milliseconds from 1 to 600000, got 0',
    ]);
    expect(fieldOf({ readTimeoutMs: 1.5 })?.[0]).toBe('readTimeoutMs');
    expect(fieldOf({ bodyLimitBytes: '1mb' })?.[0]).toBe('bodyLimitBytes');
    expect(fieldOf({ onError: 'console' })).toEqual(['onError', 'onError must be a function, got string']);
  });
});
