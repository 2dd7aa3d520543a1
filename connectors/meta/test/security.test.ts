import type { IncomingMessage } from 'node:http';
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { metaWebhook } from '@botsession/meta';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { APP_SECRET, fixture, post, postSigned, signatureOf, VERIFY_TOKEN } from './harness.js';

const FACEBOOK = { channel: 'facebook', conversationId: '106589192215347:6024661307592331' };

let tracker: SessionTracker;
let handled: number;

function handler(bodyLimitBytes?: number) {
  return metaWebhook({
    tracker,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    onMessage: () => {
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

describe('GET verification', () => {
  it('answers the challenge as text when the verify token matches', async () => {
    const { url } = await listenLocal(handler());
    const response = await fetch(
      `${url}/?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('1158201444');
  });

  it('refuses a wrong verify token with 403', async () => {
    const { url } = await listenLocal(handler());
    const response = await fetch(
      `${url}/?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`,
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'hub.verify_token does not match the configured verifyToken',
    });
  });

  it('refuses a GET that is not a subscription with 400', async () => {
    const { url } = await listenLocal(handler());
    const response = await fetch(`${url}/?hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('hub.mode');
  });

  it('refuses other methods with 405', async () => {
    const { url } = await listenLocal(handler());
    expect((await fetch(url, { method: 'PUT', body: '{}' })).status).toBe(405);
  });
});

describe('POST signature and body', () => {
  it('refuses a POST without X-Hub-Signature-256 with 401 and tracks nothing', async () => {
    const { url } = await listenLocal(handler());
    const reply = await post(url, fixture('messenger/message.json'));
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text)).toEqual({ error: 'X-Hub-Signature-256 header is missing' });
    expect(handled).toBe(0);
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('refuses a POST signed with another secret with 403 and tracks nothing', async () => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(url, fixture('messenger/message.json'), 'not-the-app-secret');
    expect(reply.status).toBe(403);
    expect(handled).toBe(0);
    expect(await tracker.get(FACEBOOK)).toBeUndefined();
  });

  it('refuses a body changed after signing with 403', async () => {
    const { url } = await listenLocal(handler());
    const body = fixture('messenger/message.json');
    const reply = await post(url, body.replace('hello', 'HELLO'), {
      'x-hub-signature-256': signatureOf(body),
    });
    expect(reply.status).toBe(403);
    expect(handled).toBe(0);
  });

  it('refuses the legacy sha1 header alone with 401', async () => {
    const { url } = await listenLocal(handler());
    const reply = await post(url, fixture('messenger/message.json'), { 'x-hub-signature': 'sha1=00' });
    expect(reply.status).toBe(401);
  });

  it('checks the signature over the exact bytes, \\u escapes included', async () => {
    const { url } = await listenLocal(handler());
    // Meta escapes non-ASCII: the signature is over "\u00e9", not over "é".
    const body = fixture('messenger/message.json').replace('hello, world!', 'caf\\u00e9');
    expect((await postSigned(url, body)).status).toBe(200);
    expect(handled).toBe(1);
  });

  it('answers a signed body that is not JSON with 400 and a one-line reason', async () => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(url, '{"object": "page", ');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toMatch(/^request body is not valid JSON/);
  });

  it('answers a signed JSON body without an entry array with 400 naming the field', async () => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(url, '{"object":"page","entry":{}}');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual({ error: 'entry must be an array, got object' });
  });

  it('answers 200 and tracks nothing for an object it does not know', async () => {
    const { url } = await listenLocal(handler());
    const reply = await postSigned(
      url,
      '{"object":"user","entry":[{"id":"1","changes":[{"field":"email"}]}]}',
    );
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(handled).toBe(0);
  });

  it('answers a body over the limit with 413', async () => {
    const { url } = await listenLocal(handler(64));
    const reply = await postSigned(url, fixture('messenger/message.json'));
    expect(reply.status).toBe(413);
    expect(handled).toBe(0);
  });
});

describe('mounted in Express', () => {
  it('works before express.json()', async () => {
    const app = express();
    app.use('/webhooks/meta', handler());
    app.use(express.json());
    const { url } = await listenLocal(app);
    const reply = await postSigned(`${url}/webhooks/meta`, fixture('messenger/message.json'));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(handled).toBe(1);
  });

  it('works behind express.json() when its verify hook keeps req.rawBody', async () => {
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
    app.post('/webhooks/meta', handler());
    const { url } = await listenLocal(app);
    const reply = await postSigned(`${url}/webhooks/meta`, fixture('whatsapp/text.json'));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(handled).toBe(1);
  });

  it('answers the GET verification on an Express route', async () => {
    const app = express();
    app.get('/webhooks/meta', handler());
    const { url } = await listenLocal(app);
    const response = await fetch(
      `${url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=abc`,
    );
    expect(await response.text()).toBe('abc');
  });
});
