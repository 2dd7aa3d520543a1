/**
 * Test plumbing: Meta-signed POSTs and the fixtures (copied in shape from Meta's webhook
 * documentation). The handler under test is served with test/support/local-server.ts.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const APP_SECRET = 'test-app-secret';
export const VERIFY_TOKEN = 'test-verify-token';

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
