import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  ConfigError,
  createSessionTracker,
  type Session,
  type SessionStamp,
  type SessionTracker,
} from '@botsession/core';
import { refOf, type TwitterDirectMessage, twitterWebhook } from '@botsession/twitter';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { deliver, fixture, SECRET, xSignature } from './serve.js';

const ACCOUNT = '4337869213';
const USER = '3001969357';
const REF = { channel: 'twitter', conversationId: `${ACCOUNT}:${USER}`, userId: USER };

let tracker: SessionTracker | undefined;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
  tracker = undefined;
});

interface Bot {
  url: string;
  tracker: SessionTracker;
  received: Array<{ message: TwitterDirectMessage; stamp: SessionStamp | undefined }>;
  started: Session[];
  ended: Session[];
  errors: unknown[];
}

async function bot(
  onMessage: (message: TwitterDirectMessage) => unknown = () => {},
  trackerOptions: Parameters<typeof createSessionTracker>[0] = {},
): Promise<Bot> {
  tracker = createSessionTracker(trackerOptions);
  const received: Bot['received'] = [];
  const started: Session[] = [];
  const ended: Session[] = [];
  const errors: unknown[] = [];
  tracker.on('sessionStart', (s) => {
    started.push(s);
  });
  tracker.on('sessionEnd', (s) => {
    ended.push(s);
  });
  tracker.on('error', (e) => errors.push(e));
  const handler = twitterWebhook({
    tracker,
    consumerSecret: SECRET,
    onMessage: (message, stamp) => {
      received.push({ message, stamp });
      return onMessage(message);
    },
    onError: (e) => errors.push(e),
  });
  return { url: (await listenLocal(handler)).url, tracker, received, started, ended, errors };
}

describe('the challenge-response check (GET ?crc_token=)', () => {
  it('answers sha256= + base64 HMAC-SHA256 of the token with the consumer secret, tracking nothing', async () => {
    const b = await bot();
    const response = await fetch(
      `${b.url}/webhooks/twitter?crc_token=ODZmNjQ0NDctNjNjYy00MTU4LWFmNjgtMDgxZWM3ZjQ2OTAy`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const expected = createHmac('sha256', SECRET)
      .update('ODZmNjQ0NDctNjNjYy00MTU4LWFmNjgtMDgxZWM3ZjQ2OTAy')
      .digest('base64');
    expect(await response.json()).toEqual({ response_token: `sha256=${expected}` });
    expect(b.started).toEqual([]);
  });

  it('reads the token whatever the path, even one starting with //', async () => {
    const b = await bot();
    const response = await fetch(`${b.url}//x?crc_token=abc`);
    expect(await response.json()).toEqual({ response_token: xSignature('abc') });
  });

  it('answers 400 when the token is missing', async () => {
    const b = await bot();
    const response = await fetch(`${b.url}/`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/crc_token/);
  });

  it('refuses a token shaped like a JSON body, so the CRC cannot sign a forged delivery', async () => {
    const b = await bot();
    const forged = fixture('direct-message');
    const crc = await fetch(`${b.url}/?crc_token=${encodeURIComponent(forged)}`);
    expect(crc.status).toBe(400);
  });
});

describe('deliveries (POST)', () => {
  it("tracks a user's direct message in channel twitter and hands it to onMessage with its stamp", async () => {
    const b = await bot();
    const reply = await deliver(b.url, fixture('direct-message'));
    expect(reply.status).toBe(200);
    expect(b.received).toHaveLength(1);
    const [{ message, stamp }] = b.received as [Bot['received'][number]];
    expect(message.text).toBe('Hello World!');
    expect(message.userId).toBe(USER);
    expect(message.forUserId).toBe(ACCOUNT);
    expect(message.user?.screen_name).toBe('furiouscamper');
    expect(message.event.id).toBe('954491830116155396');
    expect(refOf(message)).toEqual(REF);
    expect(stamp?.isNew).toBe(true);
    const session = await b.tracker.get(REF);
    expect(session?.id).toBe(stamp?.sessionId);
    expect(session).toMatchObject({ channel: 'twitter', userId: USER, userMessages: 1, botMessages: 0 });
  });

  it('leaves user undefined when the users map has no own entry for the sender', async () => {
    const b = await bot();
    const payload = JSON.parse(fixture('direct-message'));
    payload.direct_message_events[0].message_create.sender_id = '__proto__';
    await deliver(b.url, JSON.stringify(payload));
    expect(b.received[0]?.message.userId).toBe('__proto__');
    expect(b.received[0]?.message.user).toBeUndefined();
  });

  it("counts the account's own message (echoed by X) as outbound, in the same session, without onMessage", async () => {
    const b = await bot();
    await deliver(b.url, fixture('direct-message'));
    const reply = await deliver(b.url, fixture('direct-message-sent'));
    expect(reply.status).toBe(200);
    expect(b.received).toHaveLength(1);
    const session = await b.tracker.get(REF);
    expect(session).toMatchObject({ id: b.received[0]?.stamp?.sessionId, userMessages: 1, botMessages: 1 });
  });

  it('a proactive account message with no session open starts one', async () => {
    const b = await bot();
    await deliver(b.url, fixture('direct-message-sent'));
    expect(b.started).toHaveLength(1);
    expect(b.started[0]).toMatchObject({
      conversationId: REF.conversationId,
      botMessages: 1,
      userMessages: 0,
    });
  });

  it.each(['typing', 'read', 'favorite', 'tweet-create'])(
    'answers 200 to a %s event and tracks nothing',
    async (name) => {
      const b = await bot();
      const reply = await deliver(b.url, fixture(name));
      expect(reply.status).toBe(200);
      expect(b.received).toEqual([]);
      expect(b.started).toEqual([]);
    },
  );

  it('handles every direct message of one delivery, in order, each in its own conversation', async () => {
    const b = await bot();
    const payload = JSON.parse(fixture('direct-message'));
    const first = payload.direct_message_events[0];
    const second = structuredClone(first);
    second.id = '954491830116155999';
    second.message_create.sender_id = '777';
    second.message_create.message_data.text = 'second';
    payload.direct_message_events.push(second);
    await deliver(b.url, JSON.stringify(payload));
    expect(b.received.map((r) => r.message.text)).toEqual(['Hello World!', 'second']);
    expect(b.received.map((r) => refOf(r.message).conversationId)).toEqual([
      `${ACCOUNT}:${USER}`,
      `${ACCOUNT}:777`,
    ]);
    expect(new Set(b.received.map((r) => r.stamp?.sessionId)).size).toBe(2);
  });
});

describe('signatures are checked before anything else', () => {
  it('answers 401 to a delivery without x-twitter-webhooks-signature and tracks nothing', async () => {
    const b = await bot();
    const reply = await deliver(b.url, fixture('direct-message'), {});
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.text).error).toMatch(/x-twitter-webhooks-signature/);
    expect(b.received).toEqual([]);
    expect(b.started).toEqual([]);
  });

  it('answers 403 to a signature made with another secret, or over other bytes', async () => {
    const b = await bot();
    const body = fixture('direct-message');
    const otherSecret = await deliver(b.url, body, {
      'x-twitter-webhooks-signature': xSignature(body, 'not-the-secret'),
    });
    const otherBytes = await deliver(b.url, body, {
      'x-twitter-webhooks-signature': xSignature(`${body} `),
    });
    expect([otherSecret.status, otherBytes.status]).toEqual([403, 403]);
    expect(b.started).toEqual([]);
  });

  it('answers 413 to a body over the limit', async () => {
    tracker = createSessionTracker();
    const { url } = await listenLocal(
      twitterWebhook({ tracker, consumerSecret: SECRET, onMessage: () => {}, bodyLimitBytes: 100 }),
    );
    const reply = await deliver(url, fixture('direct-message'));
    expect(reply.status).toBe(413);
  });
});

describe('malformed deliveries', () => {
  it('answers 400 with the parser reason to a signed body that is not JSON', async () => {
    const b = await bot();
    const reply = await deliver(b.url, '{"for_user_id":');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toMatch(/not valid JSON/);
  });

  it('answers 400 naming the field, and tracks none of the delivery, when one event is malformed', async () => {
    const b = await bot();
    const payload = JSON.parse(fixture('direct-message'));
    const broken = structuredClone(payload.direct_message_events[0]);
    delete broken.message_create.sender_id;
    payload.direct_message_events.push(broken);
    const reply = await deliver(b.url, JSON.stringify(payload));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toBe(
      'direct_message_events[1].message_create.sender_id must be a user id string, got nothing',
    );
    expect(b.received).toEqual([]);
    expect(b.started).toEqual([]);
  });

  it('answers 405 with Allow to other methods', async () => {
    const b = await bot();
    const response = await fetch(b.url, { method: 'PUT', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });
});

describe('failures', () => {
  it('a handler that throws ends the session as interrupted, still answers 200, and reports the error', async () => {
    const boom = new Error('integration down');
    const b = await bot(() => {
      throw boom;
    });
    const reply = await deliver(b.url, fixture('direct-message'));
    expect(reply.status).toBe(200);
    expect(b.ended).toHaveLength(1);
    expect(b.ended[0]).toMatchObject({ endReason: 'interrupted', conversationId: REF.conversationId });
    expect(b.errors).toEqual([boom]);
    expect(await b.tracker.get(REF)).toBeUndefined();
  });

  it("after an interruption the user's next message starts a new session", async () => {
    let fail = true;
    const b = await bot(() => {
      if (fail) throw new Error('once');
    });
    await deliver(b.url, fixture('direct-message'));
    fail = false;
    // The user's next DM has its own event id (the same id again is X redelivering).
    await deliver(b.url, fixture('direct-message').replace('954491830116155396', '954491830116155398'));
    const [first, second] = b.received;
    expect(second?.stamp?.isNew).toBe(true);
    expect(second?.stamp?.sessionId).not.toBe(first?.stamp?.sessionId);
  });

  it('when the store is down the handler still runs without a stamp, and the tracker emits error', async () => {
    const b = await bot(() => {}, { backend: unavailableBackend() });
    const reply = await deliver(b.url, fixture('direct-message'));
    expect(reply.status).toBe(200);
    expect(b.received).toHaveLength(1);
    expect(b.received[0]?.stamp).toBeUndefined();
    expect(b.errors).toHaveLength(1);
    expect((b.errors[0] as Error).name).toBe('StoreUnavailableError');
  });
});

describe('sessions end by the channel rules of core', () => {
  it('ends a twitter session after its inactivity timeout from the last user message', async () => {
    const b = await bot(() => {}, { channels: { twitter: { inactivityTimeoutMs: 300 } } });
    await deliver(b.url, fixture('direct-message'));
    await deliver(b.url, fixture('direct-message-sent'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(b.ended).toHaveLength(1);
    const [ended] = b.ended as [Session];
    expect(ended.endReason).toBe('inactivity');
    expect(ended.endedAt).toBe(ended.lastUserMessageAt! + 300);
  });
});

describe('Express', () => {
  it('works after express.json with the raw bytes kept, and passes a handler error to the error chain after the 200', async () => {
    tracker = createSessionTracker();
    const seen: unknown[] = [];
    const boom = new Error('handler failed');
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
    app.all(
      '/webhooks/twitter',
      twitterWebhook({
        tracker,
        consumerSecret: SECRET,
        onMessage: () => {
          throw boom;
        },
      }),
    );
    app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
      seen.push(error);
      next(error);
    });
    const { url } = await listenLocal(app);
    const reply = await deliver(`${url}/webhooks/twitter`, fixture('direct-message'));
    expect(reply.status).toBe(200);
    expect(seen).toEqual([boom]);
    const crc = await fetch(`${url}/webhooks/twitter?crc_token=abc`);
    expect(await crc.json()).toEqual({ response_token: xSignature('abc') });
  });
});

describe('configuration', () => {
  it('throws ConfigError naming the field at construction', () => {
    tracker = createSessionTracker();
    const base = { tracker, consumerSecret: SECRET, onMessage: () => {} };
    const fieldOf = (options: unknown) => {
      try {
        twitterWebhook(options as Parameters<typeof twitterWebhook>[0]);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).field;
      }
      return 'no error';
    };
    expect(fieldOf({ ...base, consumerSecret: '' })).toBe('consumerSecret');
    expect(fieldOf({ ...base, consumerSecret: undefined })).toBe('consumerSecret'); // neither secret
    expect(fieldOf({ ...base, clientSecret: 42 })).toBe('clientSecret');
    expect(fieldOf({ tracker, clientSecret: 'oauth2-secret', onMessage: () => {} })).toBe('no error');
    expect(fieldOf({ ...base, onMessage: 'x' })).toBe('onMessage');
    expect(fieldOf({ ...base, tracker: {} })).toBe('tracker');
    expect(fieldOf({ ...base, bodyLimitBytes: -1 })).toBe('bodyLimitBytes');
    expect(fieldOf({ ...base, secret: 'x' })).toBe('secret');
    expect(fieldOf(base)).toBe('no error');
  });
});
