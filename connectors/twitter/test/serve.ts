/** A local server on 127.0.0.1:0 around a handler, and requests signed like X signs them. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SECRET = 'consumer-secret-for-tests';

const servers: Server[] = [];

export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((done) => s.close(() => done()))));
}

/** Computed here with node:crypto, independently of the connector's own signing code. */
export function xSignature(body: string | Buffer, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
}

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/twitter/${name}.json`, import.meta.url), 'utf8');
}

export async function deliver(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'x-twitter-webhooks-signature': xSignature(body) },
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, text: await response.text() };
}
