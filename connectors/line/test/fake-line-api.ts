/**
 * A local stand-in for https://api.line.me: a real HTTP server on 127.0.0.1 that the SDK's
 * `MessagingApiClient` reaches through `baseURL`. It answers the send endpoints like the
 * Messaging API (https://developers.line.biz/en/reference/messaging-api/#send-reply-message,
 * #send-push-message, #send-multicast-message) and records every call.
 */
import type { IncomingMessage } from 'node:http';
import { listenLocal } from '../../../test/support/local-server.js';

export interface ApiCall {
  path: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

export interface FakeLineApi {
  baseURL: string;
  calls: ApiCall[];
  /** Paths answered with the error LINE gives for a used or expired reply token. */
  failing: Set<string>;
  callsTo(path: string): ApiCall[];
  close(): Promise<void>;
}

export const CHANNEL_ACCESS_TOKEN = 'test-channel-access-token';

export async function startFakeLineApi(): Promise<FakeLineApi> {
  const calls: ApiCall[] = [];
  const failing = new Set<string>();
  let nextId = 500_000_000_000_000_000n;
  const { url, close } = await listenLocal(async (req, res) => {
    const path = req.url ?? '';
    const body = await readJson(req);
    calls.push({ path, body, authorization: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (failing.has(path)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ message: 'Invalid reply token' }));
      return;
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const sentMessages = messages.map(() => ({ id: String(nextId++), quoteToken: `qt-${nextId}` }));
    res.end(JSON.stringify(path === '/v2/bot/message/multicast' ? {} : { sentMessages }));
  });
  return {
    baseURL: url,
    calls,
    failing,
    callsTo: (path) => calls.filter((call) => call.path === path),
    close,
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
}
