/**
 * Test plumbing: the real handler behind a real HTTP server on 127.0.0.1:0, Meta-signed
 * POSTs, and the fixtures (copied in shape from Meta's webhook documentation).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';

const servers: Server[] = [];

export async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServers(): Promise<void> {
  const open = servers.splice(0);
  await Promise.all(open.map((server) => new Promise<void>((done) => server.close(() => done()))));
}

export function signatureOf(body: string | Buffer, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Reply {
  status: number;
  text: string;
}

/** POSTs a body the way Meta does: JSON, signed with the app secret. */
export async function postSigned(url: string, body: string | Buffer, secret = APP_SECRET): Promise<Reply> {
  return post(url, body, { 'x-hub-signature-256': signatureOf(body, secret) });
}

export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, text: await response.text() };
}

/** A fixture's exact text, as Meta would send it. */
export function fixture(path: string): string {
  return readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
}
