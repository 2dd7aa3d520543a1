/** Shared pieces of the Twilio tests: fixtures, real signatures, signed posts. */
import { readFileSync } from 'node:fs';
import type { Session, SessionTracker } from '@botsession/core';
import twilio from 'twilio';

/** A made-up Auth Token of the real shape (32 hex characters). */
export const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

export type Params = Record<string, string>;

export function fixture(
  name:
    | 'inbound-sms'
    | 'inbound-mms'
    | 'inbound-whatsapp'
    | 'inbound-whatsapp-bsuid'
    | 'inbound-whatsapp-username'
    | 'inbound-rcs'
    | 'inbound-messenger'
    | 'status-callback',
): Params {
  return JSON.parse(
    readFileSync(new URL(`./fixtures/twilio/${name}.json`, import.meta.url), 'utf8'),
  ) as Params;
}

/** The signature Twilio would send for these parameters posted to `url`. */
export function sign(url: string, params: Record<string, string | string[]>): string {
  return twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);
}

export interface PostOptions {
  /** The URL the signature is computed for (default: the URL posted to). */
  signedUrl?: string;
  /** A signature to send instead of the right one; `null` sends none. */
  signature?: string | null;
  headers?: Record<string, string>;
  method?: string;
}

export interface Reply {
  status: number;
  text: string;
  contentType: string | null;
}

/** Posts the parameters form-encoded, as Twilio does, signed with the test Auth Token. */
export async function postSigned(url: string, params: Params, options: PostOptions = {}): Promise<Reply> {
  const signature =
    options.signature === undefined ? sign(options.signedUrl ?? url, params) : options.signature;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    ...options.headers,
  };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  const response = await fetch(url, {
    method: options.method ?? 'POST',
    headers,
    body: options.method === 'GET' ? undefined : new URLSearchParams(params).toString(),
  });
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

/** Resolves with the next session the tracker reports for `event`. */
export function nextSession(tracker: SessionTracker, event: 'sessionStart' | 'sessionEnd'): Promise<Session> {
  return new Promise((resolve) => {
    const off = tracker.on(event, (session) => {
      off();
      resolve(session);
    });
  });
}
