import {
  ConfigError,
  createSessionTracker,
  type Session,
  type SessionStamp,
  StoreUnavailableError,
} from '@botsession/core';
import { type MetaEvent, type MetaWebhookOptions, metaWebhook } from '@botsession/meta';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { APP_SECRET, fixture, postSigned, VERIFY_TOKEN } from './harness.js';

const FACEBOOK = { channel: 'facebook', conversationId: '106589192215347:6024661307592331' };
const trackers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await closeAllLocalServers();
  await Promise.all(trackers.splice(0).map((tracker) => tracker.close()));
});

describe("when the bot's onMessage throws", () => {
  it('ends the session interrupted, reports the error, still answers 200, and the next message starts anew', async () => {
    const tracker = createSessionTracker();
    trackers.push(tracker);
    const ended: Session[] = [];
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    const failures: Array<{
      error: unknown;
      event: MetaEvent | undefined;
      channel: unknown;
      method: unknown;
    }> = [];
    const stamps: Array<SessionStamp | undefined> = [];
    let fail = true;
    const { url } = await listenLocal(
      metaWebhook({
        tracker,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        onMessage: async (_event, stamp) => {
          stamps.push(stamp);
          if (fail) throw new Error('CRM integration failed');
        },
        onError: (error, context) => {
          // context.channel: the event's fields stay on the context, as when onError got the event itself.
          failures.push({
            error,
            event: context.event,
            channel: context.channel,
            method: context.req.method,
          });
        },
      }),
    );
    const reply = await postSigned(url, fixture('messenger/message.json'));
    expect(reply).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'interrupted', id: stamps[0]?.sessionId });
    expect((failures[0]!.error as Error).message).toBe('CRM integration failed');
    expect(failures[0]?.event?.channel).toBe('facebook');
    expect(failures[0]).toMatchObject({ channel: 'facebook', method: 'POST' });

    fail = false;
    // The user's next message: a new mid (the same one again would be Meta redelivering).
    await postSigned(url, fixture('messenger/message.json').replace('206a38', '206a39'));
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });

  it('keeps the session when the policy says interruption does not end it', async () => {
    const tracker = createSessionTracker({ channels: { facebook: { endOn: { interruption: false } } } });
    trackers.push(tracker);
    const { url } = await listenLocal(
      metaWebhook({
        tracker,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        onMessage: () => {
          throw new Error('boom');
        },
        onError: () => {},
      }),
    );
    expect((await postSigned(url, fixture('messenger/message.json'))).status).toBe(200);
    expect(await tracker.get(FACEBOOK)).toMatchObject({ status: 'active' });
  });

  it('still answers 200 when onError itself throws', async () => {
    const tracker = createSessionTracker();
    trackers.push(tracker);
    const { url } = await listenLocal(
      metaWebhook({
        tracker,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        onMessage: () => {
          throw new Error('boom');
        },
        onError: () => {
          throw new Error('logger down');
        },
      }),
    );
    expect((await postSigned(url, fixture('whatsapp/text.json'))).status).toBe(200);
  });
});

describe('when the session store is down', () => {
  it('still runs onMessage without a stamp, answers 200, and the tracker emits error', async () => {
    const tracker = createSessionTracker({ backend: unavailableBackend() });
    trackers.push(tracker);
    const errors: Error[] = [];
    tracker.on('error', (error) => errors.push(error));
    const seen: Array<{ kind: string; stamp: SessionStamp | undefined }> = [];
    const { url } = await listenLocal(
      metaWebhook({
        tracker,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        onMessage: (event, stamp) => {
          seen.push({ kind: event.kind, stamp });
        },
      }),
    );
    expect((await postSigned(url, fixture('messenger/postback.json'))).status).toBe(200);
    expect((await postSigned(url, fixture('messenger/echo.json'))).status).toBe(200);
    expect((await postSigned(url, fixture('messenger/pass-thread-control.json'))).status).toBe(200);
    expect(seen).toEqual([{ kind: 'postback', stamp: undefined }]);
    expect(errors).toHaveLength(3);
    expect(errors.every((error) => error instanceof StoreUnavailableError)).toBe(true);
  });
});

describe('configuration', () => {
  const tracker = createSessionTracker();
  trackers.push(tracker);
  const valid: MetaWebhookOptions = {
    tracker,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    onMessage: () => {},
  };

  const fieldOf = (options: unknown): string | undefined => {
    try {
      metaWebhook(options as MetaWebhookOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).field;
    }
    return undefined;
  };

  it('accepts the four required options', () => {
    expect(fieldOf(valid)).toBeUndefined();
  });

  it.each([
    ['tracker', { ...valid, tracker: {} }],
    ['appSecret', { ...valid, appSecret: '' }],
    ['verifyToken', { ...valid, verifyToken: undefined }],
    ['onMessage', { ...valid, onMessage: 'reply' }],
    ['appId', { ...valid, appId: 'my-app' }],
    ['onError', { ...valid, onError: 42 }],
    ['bodyLimitBytes', { ...valid, bodyLimitBytes: -1 }],
    ['secret', { ...valid, secret: 'typo' }],
  ])('throws a ConfigError naming %s', (field, options) => {
    expect(fieldOf(options)).toBe(field);
  });

  it('never puts the secret in the message', () => {
    expect(() => metaWebhook({ ...valid, appSecret: 42 as unknown as string })).toThrow(
      'appSecret must be a non-empty string, got number',
    );
  });
});
