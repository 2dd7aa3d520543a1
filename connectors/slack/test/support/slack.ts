/**
 * A real Bolt App on a local port, a local stand-in for Slack's Web API, and requests signed the way
 * Slack signs them (v0: HMAC-SHA256 of `v0:timestamp:body`).
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel } from '@slack/bolt';
import { listenLocal } from '../../../../test/support/local-server.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_USER_ID = 'UBOT';
export const BOT_ID = 'BBOT';

/** A Slack Events API or interactivity fixture, deep-copied so a test can edit it. */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are Slack's JSON, edited freely by tests
export function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'));
}

export interface ApiCall {
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: Web API arguments as Slack received them
  args: Record<string, any>;
}

/** Answers auth.test and chat.postMessage like Slack, and records every call. */
export interface FakeSlackApi {
  url: string;
  calls: ApiCall[];
  posted(): ApiCall[];
  close(): Promise<void>;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: ApiCall[] = [];
  let ts = 1_700_000_000;
  const { url, close } = await listenLocal((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args = parseArgs(req.headers['content-type'] ?? '', Buffer.concat(chunks).toString('utf8'));
      calls.push({ method, args });
      let answer: object;
      if (method === 'auth.test') {
        answer = {
          ok: true,
          team: 'Acme',
          team_id: 'T0001',
          user: 'bot',
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
        };
      } else if (method === 'chat.postMessage') {
        ts += 1;
        answer = {
          ok: true,
          channel: args.channel,
          ts: `${ts}.000100`,
          message: { ...args, ts: `${ts}.000100` },
        };
      } else {
        answer = { ok: false, error: 'unknown_method' };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  return {
    url: `${url}/api/`,
    calls,
    posted: () => calls.filter((call) => call.method === 'chat.postMessage'),
    close,
  };
}

// The WebClient posts form-encoded arguments, with objects (metadata, blocks) as JSON strings.
function parseArgs(contentType: string, raw: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = value.startsWith('{') || value.startsWith('[') ? JSON.parse(value) : value;
  }
  return args;
}

/** A logger that keeps what Bolt and the middleware report, so tests stay quiet and can assert on it. */
export function recordingLogger(): Logger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  let level = LogLevel.DEBUG;
  return {
    warnings,
    errors,
    debug() {},
    info() {},
    warn: (...msg: unknown[]) => warnings.push(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => errors.push(msg.map(String).join(' ')),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName() {},
  };
}

export interface TestApp {
  app: App;
  logger: ReturnType<typeof recordingLogger>;
  /** Starts the HTTPReceiver on a free port; returns the events URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

/** A Bolt App on the default HTTPReceiver, answering after its listeners ran (processBeforeResponse). */
export function createApp(api: FakeSlackApi, options: { ignoreSelf?: boolean } = {}): TestApp {
  const logger = recordingLogger();
  const app = new App({
    token: 'xoxb-test-token',
    signingSecret: SIGNING_SECRET,
    processBeforeResponse: true,
    ignoreSelf: options.ignoreSelf ?? true,
    logger,
    clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } },
  });
  let started = false;
  return {
    app,
    logger,
    async start() {
      const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
      started = true;
      const { port } = server.address() as AddressInfo;
      return `http://127.0.0.1:${port}/slack/events`;
    },
    async stop() {
      if (started) await app.stop();
    },
  };
}

/** Slack's v0 signature headers for a raw body. */
export function signatureHeaders(
  rawBody: string,
  secret = SIGNING_SECRET,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

/** Posts an Events API body, signed. */
export function postEvent(url: string, body: object, secret?: string): Promise<Response> {
  return postEventWith(url, body, {}, secret);
}

/**
 * Posts an Events API body, signed, with extra headers: Slack's retries carry
 * `X-Slack-Retry-Num` (1 to 3) and `X-Slack-Retry-Reason` (`http_error`, `http_timeout`, …).
 * https://docs.slack.dev/apis/events-api/#retries
 */
export function postEventWith(
  url: string,
  body: object,
  headers: Record<string, string>,
  secret?: string,
): Promise<Response> {
  const raw = JSON.stringify(body);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signatureHeaders(raw, secret), ...headers },
    body: raw,
  });
}

/** The headers of Slack's `n`th retry of an event. */
export function retryHeaders(n: number, reason = 'http_error'): Record<string, string> {
  return { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': reason };
}

/** Posts an interactivity payload the way Slack does: form-encoded `payload=<json>`, signed. */
export function postInteraction(url: string, payload: object, secret?: string): Promise<Response> {
  const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signatureHeaders(raw, secret) },
    body: raw,
  });
}
