import type { IncomingMessage } from 'node:http';
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { lineWebhook } from '@botsession/line';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { CHANNEL_SECRET, fixture, post, postSigned, signatureOf } from './harness.js';

const ADA = { channel: 'line', conversationId: 'U4af4980629a4b3c5d6e7f8091a2b3c4d' };

let tracker: SessionTracker;
let handled: number;

function handler(bodyLimitBytes?: number) {
  return lineWebhook({
    tracker,
    channelSecret: CHANNEL_SECRET,
    onEvent: () => {
      handled += 1;
    },
    ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }),
  });
}

beforeEach(() => {
  tracker = createSessionTracker();
  handled = 0;
});
afterEach(async () => {
  await closeAllLocalServers();
  await tracker.close();
});

describe('x-line-signature, checked with the SDK’s validateSignature before anything else', () => {
  it('refuses a POST without the header with 401, counts nothing, calls nothing', async () => {
    const { url } = await listenLocal(handler());
    const reply = await post(url, fixture('text-message'));

    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text)).toEqual({ error: 'x-line-signature header is missing' });
    expect(handled).toBe(0);
    expect(await tracker.get(ADA)).toBeUndefined();
  });

  it('refuses a body signed with another secret with 403', async () => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(url, fixture('text-message'), 'someone-elses-secret');

    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text)).toEqual({
      error: 'x-line-signature does not match the body signed with channelSecret',
    });
    expect(handled).toBe(0);
  });

  it('refuses a body changed after signing (one byte) with 403', async () => {
    const { url } = await listenLocal(handler());
    const body = fixture('text-message');
    const reply = await post(url, body.replace('Where', 'where'), { 'x-line-signature': signatureOf(body) });

    expect(reply.status).toBe(403);
    expect(await tracker.get(ADA)).toBeUndefined();
  });

  it('checks the exact bytes: non-ASCII text signed as sent is accepted', async () => {
    const { url } = await listenLocal(handler());
    const body = fixture('text-message').replace('Where is my order?', '注文はどこですか？');
    const reply = await postSigned(url, Buffer.from(body, 'utf8'));

    expect(reply.status).toBe(200);
    expect(handled).toBe(1);
  });
});

describe('malformed requests', () => {
  it('answers 405 to a GET', async () => {
    const { url } = await listenLocal(handler());
    const response = await fetch(url);
    expect(response.status).toBe(405);
  });

  it('answers 400 naming the parser’s reason to a signed body that is not JSON', async () => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(url, '{"destination": "U1", "events": [');

    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toMatch(/^request body is not valid JSON/);
  });

  it.each([
    ['{"destination":"U1"}', 'events must be an array of webhook events, got nothing'],
    ['{"events":{}}', 'events must be an array of webhook events, got an object'],
    ['{"events":[42]}', 'events[0] must be an object, got 42'],
    [
      '{"events":[{"type":"message"},{"mode":"active"}]}',
      'events[1].type must be a non-empty string, got nothing',
    ],
    [
      '{"events":[{"type":"message","webhookEventId":7}]}',
      'events[0].webhookEventId must be a non-empty string',
    ],
    ['[]', 'events must be an array of webhook events, got nothing'],
  ])('answers 400 to %s naming the field', async (body, message) => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(url, body);

    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toContain(message);
    expect(handled).toBe(0);
  });

  it('answers 413 to a body over bodyLimitBytes', async () => {
    const { url } = await listenLocal(handler(256));
    const reply = await postSigned(url, fixture('sticker-and-image'));

    expect(reply.status).toBe(413);
    expect(handled).toBe(0);
  });
});

describe('inside Express', () => {
  it('works with the raw body kept by express.json({ verify })', async () => {
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
    app.post('/callback', handler());
    const { url } = await listenLocal(app);
    const reply = await postSigned(`${url}/callback`, fixture('text-message'));

    expect(reply.status).toBe(200);
    expect(await tracker.get(ADA)).toMatchObject({ userMessages: 1 });
  });

  it('refuses with 400 a body express.json() parsed without keeping its bytes', async () => {
    const app = express();
    app.use(express.json());
    app.post('/callback', handler());
    const { url } = await listenLocal(app);
    const reply = await postSigned(`${url}/callback`, fixture('text-message'));

    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toMatch(/raw bytes/);
  });
});
