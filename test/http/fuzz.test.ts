/**
 * Every HTTP connector (web, help, messaging-api, meta, twitter, twilio) in a child process,
 * fed arbitrary request lines, methods, targets, headers and bodies over a raw TCP socket
 * (node:net, so that malformed request lines really reach the server), with bots that throw,
 * reject and return junk, no onError and no `next`. The process must survive every request,
 * and every connector must still answer a good request afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-http.js';

const SECRETS = {
  web: 'fuzz-web-secret-fuzz-web-secret-fuzz!',
  apiKey: 'fuzz-api-key-0123456789',
  metaAppSecret: 'fuzz-meta-app-secret',
  metaVerifyToken: 'fuzz-verify-token',
  twitterConsumerSecret: 'fuzz-consumer-secret',
  twilioAuthToken: '0123456789abcdef0123456789abcdef',
};

type Connector = 'web' | 'help' | 'messaging-api' | 'meta' | 'twitter' | 'twilio';
const CONNECTORS: Connector[] = ['web', 'help', 'messaging-api', 'meta', 'twitter', 'twilio'];
const RUNS = Number(process.env.HTTP_FUZZ_RUNS ?? 120);

let child: ChildProcess;
let ports: Record<Connector, number>;
let stderr = '';
let webToken: string;

beforeAll(async () => {
  child = spawn(process.execPath, [new URL('./child/serve-connectors.mjs', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SECRETS: JSON.stringify(SECRETS) },
  });
  child.stderr!.on('data', (data) => {
    stderr += data;
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before listening: ${stderr}`)));
  });
  ({ ports } = JSON.parse(line) as { ports: Record<Connector, number> });
  webToken = (
    (await (await fetch(`http://127.0.0.1:${ports.web}/open`, { method: 'POST' })).json()) as {
      token: string;
    }
  ).token;
});

afterAll(() => {
  child?.kill('SIGKILL');
});

/** The process is still there: no uncaught exception, no unhandled rejection ended it. */
function alive(): void {
  expect({ exitCode: child.exitCode, signal: child.signalCode }).toEqual({ exitCode: null, signal: null });
}

// ---- the pieces of a request ------------------------------------------------------------

const PATHS: Record<Connector, string[]> = {
  web: ['/open', '/message', '/close', '/widget.js'],
  help: ['/botsession/events', '/botsession/tracker.js'],
  'messaging-api': [
    '/v1/messages',
    '/v1/conversations/c1/handoff',
    '/v1/conversations/c1/end',
    '/v1/conversations/c1/session',
    '/v1/conversations/%E0%A4%A/session',
    '/v1/openapi.json',
  ],
  meta: ['/', '/?hub.mode=subscribe&hub.verify_token=fuzz-verify-token&hub.challenge=1'],
  twitter: ['/', '/?crc_token=abc', '/?crc_token=%7B%22x'],
  twilio: ['/', '/sms'],
};

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH') },
  { weight: 1, arbitrary: fc.constantFrom('CONNECT', 'TRACE', 'BREW', 'get', 'P OST', '', 'GET\u0000') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const target = (connector: Connector) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...PATHS[connector]) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        '//',
        '//evil.example/x',
        '/%',
        '/%zz',
        '/%E0%A4%A',
        '/..%2F..%2Fetc/passwd',
        '*',
        'example.com:443',
        'http://example.com/open',
        'http://[::1/x',
        'https://a@b:c/%',
        '/?%',
        '/#frag',
        `/${'a'.repeat(9000)}`,
        '/\u00e9\u4e2d',
        '/__proto__',
        '/constructor',
      ),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((s) => `/${s}`) },
  );

const version = fc.oneof(
  { weight: 8, arbitrary: fc.constant('HTTP/1.1') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'http/1.1', '') },
);

const junkHeader = fc.oneof(
  fc.tuple(
    fc.constant('content-type'),
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'application/vnd.x+json',
      'multipart/form-data; boundary=x',
      '',
      ';;;',
      'application/json\u00ff',
    ),
  ),
  fc.tuple(
    fc.constant('content-length'),
    fc.constantFrom('0', '1', '5', '100', '-1', '1e3', 'x', '99999999999999999999'),
  ),
  fc.tuple(fc.constant('transfer-encoding'), fc.constantFrom('chunked', 'gzip', 'chunked, chunked', 'x')),
  fc.tuple(fc.constant('origin'), fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1', '%%%')),
  fc.tuple(
    fc.constant('authorization'),
    fc.constantFrom(`Bearer ${SECRETS.apiKey}`, 'Bearer', 'Basic x', ''),
  ),
  fc.tuple(
    fc.constantFrom('x-hub-signature-256', 'x-twitter-webhooks-signature', 'x-twilio-signature'),
    fc.string(),
  ),
  fc.tuple(
    fc.constantFrom('expect', 'upgrade', 'connection'),
    fc.constantFrom('100-continue', 'websocket', 'upgrade', 'keep-alive'),
  ),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 30 })),
);

const TEXTS = fc.constantFrom('hi', 'please throw', 'reject me', 'junk', '', '\u0000', '\ud800');
const TAB = fc.constantFrom('tab_0123456789abcdefXYZ', 'short', 'tab_0123456789abcdefXYZ-2');

/** Bodies shaped for each connector (so the deep code runs), beside arbitrary bytes. */
const body = (connector: Connector, shapedOnly = false): fc.Arbitrary<{ text: string; sign: boolean }> => {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v) => JSON.stringify(v) ?? 'null');
  const shaped: Record<Connector, fc.Arbitrary<string>> = {
    web: json(
      fc.record(
        {
          token: fc.oneof(fc.constant(webToken), fc.string(), fc.anything()),
          text: fc.oneof(TEXTS, fc.anything()),
        },
        { requiredKeys: [] },
      ),
    ),
    help: json(
      fc.record({
        tabId: fc.oneof(TAB, fc.anything()),
        events: fc.oneof(
          fc.array(
            fc.oneof(
              fc.constant({ type: 'search' }),
              fc.record({
                type: fc.constant('open'),
                article: TEXTS,
                via: fc.constantFrom('click', 'api', 'x'),
              }),
              fc.anything(),
            ),
            { maxLength: 60 },
          ),
          fc.anything(),
        ),
      }),
    ),
    'messaging-api': json(
      fc.oneof(
        fc.record({ conversationId: fc.constantFrom('c1', 'c2'), userId: fc.constant('u1'), text: TEXTS }),
        fc.record(
          {
            conversationId: fc.oneof(fc.constant('c1'), fc.string(), fc.anything()),
            userId: fc.oneof(fc.constant('u1'), fc.anything()),
            text: fc.oneof(TEXTS, fc.anything()),
            reason: fc.oneof(fc.constantFrom('manual', 'closed'), fc.anything()),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    meta: json(
      fc.record({
        object: fc.constantFrom('page', 'whatsapp_business_account', 'x'),
        entry: fc.array(
          fc.record({
            id: fc.constant('106589192215347'),
            time: fc.constant(1_700_000_000_000),
            messaging: fc.array(
              fc.record({
                sender: fc.record({ id: fc.constantFrom('u1', 'u2') }),
                recipient: fc.record({ id: fc.constant('106589192215347') }),
                timestamp: fc.constant(1_700_000_000_000),
                message: fc.record({ mid: fc.string(), text: fc.oneof(TEXTS, fc.anything()) }),
              }),
              { maxLength: 3 },
            ),
          }),
          { maxLength: 2 },
        ),
      }),
    ),
    twitter: json(
      fc.record({
        for_user_id: fc.constant('100'),
        direct_message_events: fc.array(
          fc.record({
            type: fc.constant('message_create'),
            id: fc.string(),
            created_timestamp: fc.constant('1700000000000'),
            message_create: fc.record({
              target: fc.record({ recipient_id: fc.constantFrom('100', '200') }),
              sender_id: fc.constantFrom('100', '200'),
              message_data: fc.record({ text: fc.oneof(TEXTS, fc.anything()) }),
            }),
          }),
          { maxLength: 3 },
        ),
      }),
    ),
    twilio: fc
      .record(
        {
          MessageSid: fc.constant('SM1'),
          From: fc.constantFrom('+15550001', 'whatsapp:+1555'),
          To: fc.constant('+15559999'),
          Body: TEXTS,
          AccountSid: fc.constant('AC1'),
        },
        { requiredKeys: [] },
      )
      .map((params) => new URLSearchParams(params as Record<string, string>).toString()),
  };
  if (shapedOnly) return fc.record({ text: shaped[connector], sign: fc.constant(true) });
  return fc.oneof(
    fc.record({ text: shaped[connector], sign: fc.boolean() }),
    fc.record({ text: fc.string({ maxLength: 300 }), sign: fc.boolean() }),
    fc.record({
      text: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
      sign: fc.constant(false),
    }),
  );
};

/** The signature header a platform would send for this body (meta, twitter, twilio). */
function signature(connector: Connector, path: string, text: string): [string, string] | undefined {
  if (connector === 'meta') {
    return [
      'x-hub-signature-256',
      `sha256=${createHmac('sha256', SECRETS.metaAppSecret).update(text, 'latin1').digest('hex')}`,
    ];
  }
  if (connector === 'twitter') {
    return [
      'x-twitter-webhooks-signature',
      `sha256=${createHmac('sha256', SECRETS.twitterConsumerSecret).update(text, 'latin1').digest('base64')}`,
    ];
  }
  if (connector === 'twilio') {
    const params = Object.fromEntries(new URLSearchParams(text));
    const url = `http://127.0.0.1:${ports.twilio}${path}`;
    return ['x-twilio-signature', twilio.getExpectedTwilioSignature(SECRETS.twilioAuthToken, url, params)];
  }
  return undefined;
}

interface FuzzRequest {
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
  body: { text: string; sign: boolean };
  chunked: boolean;
  lineEnd: string;
}

const TOKEN = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const FIELD_VALUE = fc.stringMatching(/^[\x21-\x7e]{0,30}$/);

/** Headers Node's parser accepts, with values that matter to the connectors. */
const validHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constant('content-type'),
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'application/vnd.x+json',
      'multipart/form-data; boundary=x',
      '',
      ';;;',
    ),
  ),
  fc.tuple(fc.constant('origin'), fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1', '%%%')),
  fc.tuple(
    fc.constant('authorization'),
    fc.constantFrom(`Bearer ${SECRETS.apiKey}`, 'Bearer', 'Basic x', ''),
  ),
  fc.tuple(
    fc.constantFrom('x-hub-signature-256', 'x-twitter-webhooks-signature', 'x-twilio-signature'),
    FIELD_VALUE,
  ),
  fc.tuple(fc.constantFrom('accept-encoding', 'if-none-match', 'x-forwarded-host', 'cookie'), FIELD_VALUE),
);

const CONTENT_TYPE: Record<Connector, string> = {
  web: 'text/plain;charset=UTF-8',
  help: 'application/json',
  'messaging-api': 'application/json',
  meta: 'application/json',
  twitter: 'application/json',
  twilio: 'application/x-www-form-urlencoded',
};

/**
 * Mostly requests Node's parser accepts (so the connectors see them), some shaped and signed
 * like the platform's (so the bots run, and throw, reject or return junk), a fifth of junk.
 */
const request = (connector: Connector): fc.Arbitrary<FuzzRequest> =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        method: fc.constant('POST'),
        target: fc.constantFrom(...PATHS[connector]),
        version: fc.constant('HTTP/1.1'),
        headers: fc
          .array(validHeader, { maxLength: 2 })
          .map(
            (headers): Array<[string, string]> => [
              ['content-type', CONTENT_TYPE[connector]],
              ['authorization', `Bearer ${SECRETS.apiKey}`],
              ...headers.filter(([name]) => name !== 'content-type' && name !== 'authorization'),
            ],
          ),
        body: body(connector, true),
        chunked: fc.boolean(),
        lineEnd: fc.constant('\r\n'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'),
        target: target(connector).filter((t) => /^[\x21-\x7e]*$/.test(t)),
        version: fc.constant('HTTP/1.1'),
        headers: fc.array(
          fc.oneof(
            { weight: 4, arbitrary: validHeader },
            { weight: 1, arbitrary: fc.tuple(TOKEN, FIELD_VALUE) },
          ),
          {
            maxLength: 5,
          },
        ),
        body: body(connector),
        chunked: fc.boolean(),
        lineEnd: fc.constant('\r\n'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        method,
        target: target(connector),
        version,
        headers: fc.array(junkHeader, { maxLength: 6 }),
        body: body(connector),
        chunked: fc.boolean(),
        lineEnd: fc.constantFrom('\r\n', '\r\n', '\n', '\r'),
      }),
    },
  );

/** The request as bytes: the request line and headers as written, a Content-Length unless one was drawn. */
function bytesOf(connector: Connector, r: FuzzRequest): Buffer {
  const eol = r.lineEnd;
  const headers: Array<[string, string]> = [...r.headers];
  const names = new Set(headers.map(([name]) => name.toLowerCase()));
  if (r.body.sign) {
    const signed = signature(connector, r.target, r.body.text);
    if (signed) headers.push(signed);
  }
  if (!names.has('host')) headers.push(['host', `127.0.0.1:${ports[connector]}`]);
  const payload = Buffer.from(r.body.text, 'latin1');
  let bodyBytes = payload;
  if (r.chunked && !names.has('content-length') && !names.has('transfer-encoding')) {
    headers.push(['transfer-encoding', 'chunked']);
    bodyBytes = Buffer.concat([
      Buffer.from(`${payload.length.toString(16)}\r\n`),
      payload,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
  } else if (!names.has('content-length') && !names.has('transfer-encoding')) {
    headers.push(['content-length', String(payload.length)]);
  }
  headers.push(['connection', 'close']);
  const head = `${r.method} ${r.target} ${r.version}${eol}${headers.map(([n, v]) => `${n}: ${v}`).join(eol)}${eol}${eol}`;
  return Buffer.concat([Buffer.from(head, 'utf8'), bodyBytes]);
}

/** A good request per connector and what it must answer. */
async function goodRequest(connector: Connector): Promise<{ status: number; text: string }> {
  const base = `http://127.0.0.1:${ports[connector]}`;
  const answer = async (res: Response) => ({ status: res.status, text: await res.text() });
  switch (connector) {
    case 'web':
      return answer(
        await fetch(`${base}/message`, {
          method: 'POST',
          body: JSON.stringify({ token: webToken, text: 'hello' }),
        }),
      );
    case 'help':
      return answer(
        await fetch(`${base}/botsession/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            tabId: 'tab_good_0123456789abcd',
            events: [{ type: 'open', article: 'ok', via: 'click' }],
          }),
        }),
      );
    case 'messaging-api':
      return answer(
        await fetch(`${base}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.apiKey}` },
          body: JSON.stringify({ conversationId: 'good', userId: 'u', text: 'hello' }),
        }),
      );
    case 'meta': {
      const text = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: '1',
            time: 1,
            messaging: [
              {
                sender: { id: 'u9' },
                recipient: { id: '1' },
                timestamp: 1,
                message: { mid: 'm.good', text: 'hello' },
              },
            ],
          },
        ],
      });
      const [name, value] = signature('meta', '/', text)!;
      return answer(
        await fetch(base, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [name]: value },
          body: text,
        }),
      );
    }
    case 'twitter':
      return answer(await fetch(`${base}/?crc_token=good`));
    case 'twilio': {
      const text = new URLSearchParams({
        MessageSid: 'SMgood',
        AccountSid: 'AC1',
        From: '+15550009',
        To: '+15559999',
        Body: 'hello',
      }).toString();
      const [name, value] = signature('twilio', '/sms', text)!;
      return answer(
        await fetch(`${base}/sms`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', [name]: value },
          body: text,
        }),
      );
    }
  }
}

describe('every HTTP connector survives arbitrary requests over a raw socket', () => {
  it.each(CONNECTORS)('%s answers a good request before the fuzz', async (connector) => {
    const reply = await goodRequest(connector);
    expect(reply.status, reply.text).toBe(200);
  });

  it.each(CONNECTORS)('%s: the process survives every request and keeps answering', async (connector) => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(request(connector), async (r) => {
        const reply = await rawRequest(ports[connector], [bytesOf(connector, r)], {
          end: true,
          timeoutMs: 5000,
        });
        const key =
          reply.status === 400 && !/content-type/i.test(reply.text)
            ? 'parser-400'
            : String(reply.status ?? 'closed');
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        alive();
        // A request is refused, answered, or the connection closed: never a hang past the read timeout.
        expect(reply.ended).toBe('closed');
      }),
      { numRuns: RUNS },
    );
    alive();
    // The fuzz reached past the parser: some requests got answers of the connector itself.
    expect(
      [...statuses.keys()].filter((status) => status !== 'closed' && status !== '400').length,
    ).toBeGreaterThan(1);
    const good = await goodRequest(connector);
    expect(good.status, good.text).toBe(200);
  });

  it('survives them all at once, and every connector still answers', async () => {
    const samples = CONNECTORS.flatMap((connector) =>
      fc
        .sample(request(connector), 30)
        .map((r) => rawRequest(ports[connector], [bytesOf(connector, r)], { end: true })),
    );
    await Promise.all(samples);
    alive();
    for (const connector of CONNECTORS) expect((await goodRequest(connector)).status).toBe(200);
    // The bots' failures were logged, never thrown out of a handler.
    expect(stderr).not.toMatch(/UnhandledPromiseRejection|uncaught/i);
  });
});
