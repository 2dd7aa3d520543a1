/**
 * Test plumbing: LINE-signed POSTs and the fixtures, whose shapes follow LINE's Messaging API
 * reference (https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects):
 * #message-event (text, sticker, image, location; mentions in a group), #postback-event,
 * #follow-event, #unfollow-event, #join-event, #member-joined-event, #member-left-event,
 * #leave-event, #unsend-event, sources #source-user / #source-group / #source-room, `mode:
 * standby` (#common-properties), and the empty body of the console's Verify button
 * (https://developers.line.biz/en/docs/messaging-api/receiving-messages/#verify-webhook-url).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type Backend,
  type ChannelPolicyOverride,
  createSessionTracker,
  type Session,
  type SessionStamp,
  type SessionTracker,
} from '@botsession/core';
import { type LineWebhookOptions, lineWebhook, trackedClient } from '@botsession/line';
import { messagingApi, type webhook } from '@line/bot-sdk';
import { type LocalServer, listenLocal } from '../../../test/support/local-server.js';
import { CHANNEL_ACCESS_TOKEN, type FakeLineApi, startFakeLineApi } from './fake-line-api.js';

export const CHANNEL_SECRET = 'test-channel-secret';
export const ADA = 'U4af4980629a4b3c5d6e7f8091a2b3c4d';
export const ADA_REF = { channel: 'line', conversationId: ADA, userId: ADA };

/** `x-line-signature`: base64 HMAC-SHA256 of the body with the channel secret. */
export function signatureOf(body: string | Buffer, secret = CHANNEL_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** A fixture's exact text, as LINE would send it. */
export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/line/${name}.json`, import.meta.url), 'utf8');
}

/** A fixture with its events changed (ids, text), re-serialised: the signature is computed over the result. */
export function fixtureWith(name: string, change: (events: Array<Record<string, unknown>>) => void): string {
  const body = JSON.parse(fixture(name)) as { events: Array<Record<string, unknown>> };
  change(body.events);
  return JSON.stringify(body);
}

export interface Reply {
  status: number;
  text: string;
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

/** POSTs a body the way LINE does: JSON, signed with the channel secret. */
export function postSigned(url: string, body: string | Buffer, secret = CHANNEL_SECRET): Promise<Reply> {
  return post(url, body, { 'x-line-signature': signatureOf(body, secret) });
}

export type OnEvent = (event: webhook.Event, stamp: SessionStamp | undefined) => unknown;

export interface Harness {
  url: string;
  api: FakeLineApi;
  tracker: SessionTracker;
  /** The SDK's client pointed at the fake API, wrapped by `trackedClient`. */
  client: messagingApi.MessagingApiClient;
  started: Session[];
  ended: Session[];
  errors: Error[];
  /** What `onError` received. */
  failures: Array<{ error: unknown; event: webhook.Event }>;
  /** Every (event, stamp) `onEvent` saw. */
  seen: Array<{ event: webhook.Event; stamp: SessionStamp | undefined }>;
  /** The bot's handler; replace it per test. */
  onEvent: OnEvent;
  send(name: string): Promise<Reply>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backend?: Backend;
  channels?: Record<string, ChannelPolicyOverride>;
  webhook?: Partial<LineWebhookOptions>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const api = await startFakeLineApi();
  const tracker = createSessionTracker({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
  });
  const started: Session[] = [];
  const ended: Session[] = [];
  const errors: Error[] = [];
  tracker.on('sessionStart', (session) => void started.push(session));
  tracker.on('sessionEnd', (session) => void ended.push(session));
  tracker.on('error', (error) => void errors.push(error));
  const client = trackedClient(
    new messagingApi.MessagingApiClient({ channelAccessToken: CHANNEL_ACCESS_TOKEN, baseURL: api.baseURL }),
    tracker,
  );
  const harness = {
    onEvent: (() => {}) as OnEvent,
    seen: [] as Harness['seen'],
    failures: [] as Harness['failures'],
  };
  const server: LocalServer = await listenLocal(
    lineWebhook({
      tracker,
      channelSecret: CHANNEL_SECRET,
      onEvent: (event, stamp) => {
        harness.seen.push({ event, stamp });
        return harness.onEvent(event, stamp);
      },
      onError: (error, event) => void harness.failures.push({ error, event }),
      ...options.webhook,
    }),
  );
  return Object.assign(harness, {
    url: server.url,
    api,
    tracker,
    client,
    started,
    ended,
    errors,
    send: (name: string) => postSigned(server.url, fixture(name)),
    async close() {
      await server.close();
      await tracker.close();
      await api.close();
    },
  });
}
