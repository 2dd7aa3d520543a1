/** Requests signed like X signs them, and the fixtures (served with test/support/local-server.ts). */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SECRET = 'consumer-secret-for-tests';

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
