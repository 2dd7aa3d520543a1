import { type IncomingMessage, request } from 'node:http';
import {
  hmac,
  httpLayer,
  parseFormBody,
  parseJsonBody,
  readRawBody,
  safeEqual,
  toNodeHandler,
  toReportingNodeHandler,
  WebhookHttpError,
} from '@botsession/webhook';
import express from 'express';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';

afterEach(closeAllLocalServers);

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', body, headers });
  return { status: response.status, text: await response.text() };
}

const layer = httpLayer({ connector: 'test', bodyLimitBytes: 1024, readTimeoutMs: 5000, onError: undefined });
const echoRaw = (limit?: number) =>
  layer.handler(async ({ req, res }) => {
    const raw = await readRawBody(req, limit);
    res.end(`${raw.length}:${raw.toString('hex')}`);
  });

describe('readRawBody', () => {
  it('returns the exact bytes of the stream', async () => {
    const { url } = await listenLocal(echoRaw());
    const bytes = Buffer.from([0, 1, 2, 255, 0x7b]);
    expect((await post(url, bytes)).text).toBe('5:000102ff7b');
  });

  it('answers 413 when the declared length is over the limit', async () => {
    const { url } = await listenLocal(echoRaw(8));
    const reply = await post(url, 'x'.repeat(9));
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ error: 'request body is larger than 8 bytes' });
  });

  it('answers 413 when a chunked body grows over the limit', async () => {
    const { url } = await listenLocal(echoRaw(8));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('12345');
      req.end('67890');
    });
    expect(status).toBe(413);
  });

  it('takes req.rawBody kept by an Express json verify hook', async () => {
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
    app.post('/', echoRaw());
    const { url } = await listenLocal(app);
    const reply = await post(url, '{"a": 1}', { 'content-type': 'application/json' });
    expect(reply.text).toBe(`8:${Buffer.from('{"a": 1}').toString('hex')}`);
  });

  it('takes the Buffer of express.raw()', async () => {
    const app = express();
    app.use(express.raw({ type: '*/*' }));
    app.post('/', echoRaw());
    const { url } = await listenLocal(app);
    expect((await post(url, 'abc', { 'content-type': 'text/plain' })).text).toBe('3:616263');
  });

  it('refuses with 400 a body parsed into an object without its raw bytes', async () => {
    const app = express();
    app.use(express.json());
    app.post('/', echoRaw());
    const { url } = await listenLocal(app);
    const reply = await post(url, '{"a":1}', { 'content-type': 'application/json' });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('raw bytes');
  });
});

describe('signatures', () => {
  it('computes HMAC-SHA256 as RFC 4231 specifies', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('compares in constant time and treats missing or shorter values as unequal', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abd', 'abc')).toBe(false);
    expect(safeEqual('ab', 'abc')).toBe(false);
    expect(safeEqual(undefined, 'abc')).toBe(false);
  });
});

describe('parsers', () => {
  it('names the reason of a malformed JSON body', () => {
    expect(() => parseJsonBody(Buffer.from('{"a":'))).toThrow(/not valid JSON/);
    expect(() => parseJsonBody(Buffer.from(''))).toThrow(/empty/);
    expect(() => parseJsonBody(Buffer.from('42'))).toThrow(/JSON object/);
  });

  it('parses forms', () => {
    expect(parseFormBody(Buffer.from('From=%2B1555&Body=hi+there'))).toEqual({
      From: '+1555',
      Body: 'hi there',
    });
  });

  it('never throws anything but a 400 on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseJsonBody(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookHttpError);
          expect((error as WebhookHttpError).status).toBe(400);
        }
        expect(typeof parseFormBody(Buffer.from(bytes))).toBe('object');
      }),
    );
  });
});

describe('toNodeHandler (the older entry to the HTTP layer)', () => {
  it('passes unexpected failures to Express next, and answers 500 without it', async () => {
    const failing = toNodeHandler(async () => {
      throw new Error('boom');
    });
    const app = express();
    app.post('/', failing);
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(502).send(`next got ${error.message}`);
    });
    const { url } = await listenLocal(app);
    expect(await post(url, 'x')).toEqual({ status: 502, text: 'next got boom' });
    const { url: bare } = await listenLocal(failing);
    expect((await post(bare, 'x')).status).toBe(500);
  });
});

describe('toReportingNodeHandler', () => {
  const boom = new Error('boom');
  const failing = (onError: ((error: unknown) => void) | undefined, log: (error: unknown) => void) =>
    toReportingNodeHandler(
      async (_req, res) => {
        res.writeHead(200).end(); // the platform got its answer before the bot failed
        throw boom;
      },
      onError,
      log,
    );
  const refusing = (onError: (error: unknown) => void) =>
    toReportingNodeHandler(
      async () => {
        throw new WebhookHttpError(401, 'signature is missing');
      },
      onError,
      onError,
    );

  function inExpress(handler: ReturnType<typeof toReportingNodeHandler>, chained: unknown[]) {
    const app = express();
    app.post('/', handler);
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      chained.push(error);
      if (!res.headersSent) res.status(502).end();
    });
    return app;
  }

  it('gives the failure to onError when set, even under Express, and never to next or the log', async () => {
    const told: unknown[] = [];
    const logged: unknown[] = [];
    const chained: unknown[] = [];
    const { url } = await listenLocal(
      inExpress(
        failing(
          (error) => told.push(error),
          (error) => logged.push(error),
        ),
        chained,
      ),
    );
    expect((await post(url, 'x')).status).toBe(200);
    expect(told).toEqual([boom]);
    expect(logged).toEqual([]);
    expect(chained).toEqual([]);
  });

  it("without onError, passes it to Express's next; in plain Node, logs it", async () => {
    const logged: unknown[] = [];
    const chained: unknown[] = [];
    const { url } = await listenLocal(
      inExpress(
        failing(undefined, (error) => logged.push(error)),
        chained,
      ),
    );
    expect((await post(url, 'x')).status).toBe(200);
    expect(chained).toEqual([boom]);
    const { url: bare } = await listenLocal(failing(undefined, (error) => logged.push(error)));
    expect((await post(bare, 'x')).status).toBe(200);
    expect(logged).toEqual([boom]);
  });

  it('answers a bare 500 when nothing was answered yet, and refusals with their status, unreported', async () => {
    const told: unknown[] = [];
    const silent = toReportingNodeHandler(
      async () => {
        throw boom;
      },
      (error) => told.push(error),
      () => {},
    );
    const { url } = await listenLocal(silent);
    expect(await post(url, 'x')).toEqual({ status: 500, text: '{"error":"internal error"}' });
    expect(told).toEqual([boom]);
    const refused: unknown[] = [];
    const { url: url2 } = await listenLocal(refusing((error) => refused.push(error)));
    expect(await post(url2, 'x')).toEqual({ status: 401, text: '{"error":"signature is missing"}' });
    expect(refused).toEqual([]);
  });
});
