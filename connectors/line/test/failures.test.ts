import { ConfigError, createSessionTracker } from '@botsession/core';
import { lineWebhook } from '@botsession/line';
import { afterEach, describe, expect, it } from 'vitest';
import { ADA_REF, CHANNEL_SECRET, type Harness, startHarness } from './harness.js';

describe('a failing onEvent', () => {
  let h: Harness;
  afterEach(() => h.close());

  it("ends the session 'interrupted', tells onError, answers 200, and the next message starts a new session", async () => {
    h = await startHarness();
    h.onEvent = (event) => {
      if (event.type === 'message') throw new Error('orders API is down');
    };
    const reply = await h.send('text-message');

    expect(reply.status).toBe(200);
    expect(h.failures.map((f) => [f.event.type, String(f.error)])).toEqual([
      ['message', 'Error: orders API is down'],
    ]);
    expect(h.ended).toEqual([expect.objectContaining({ endReason: 'interrupted', userMessages: 1 })]);

    h.onEvent = () => {};
    await h.send('postback');
    expect(h.seen[1]?.stamp).toMatchObject({ isNew: true });
    expect(h.seen[1]?.stamp?.sessionId).not.toBe(h.seen[0]?.stamp?.sessionId);
  });

  it('still handles the other events of the batch', async () => {
    h = await startHarness();
    h.onEvent = (event) => {
      if (event.type === 'message' && event.message.type === 'sticker') throw new Error('no stickers');
    };
    await h.send('sticker-and-image');

    expect(h.seen).toHaveLength(2);
    expect(h.failures).toHaveLength(1);
    // The image after the failed sticker starts a new session: the failure ended the first.
    expect(h.started).toHaveLength(2);
  });

  it("keeps the session when the channel's policy says interruptions do not end it", async () => {
    h = await startHarness({ channels: { line: { endOn: { interruption: false } } } });
    h.onEvent = () => {
      throw new Error('flaky');
    };
    await h.send('text-message');

    expect(h.ended).toEqual([]);
    expect(await h.tracker.get(ADA_REF)).toMatchObject({ status: 'active' });
  });

  it('answers 200 even when onError itself throws', async () => {
    h = await startHarness({
      webhook: {
        onError: () => {
          throw new Error('logger down');
        },
      },
    });
    h.onEvent = () => {
      throw new Error('handler down');
    };
    expect((await h.send('text-message')).status).toBe(200);
  });
});

describe('a tracker that is closed (a bug, not an outage)', () => {
  it('still calls onEvent and answers 200, and says so on console.error rather than nowhere', async () => {
    const h = await startHarness();
    const logged: unknown[][] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      await h.tracker.close();
      const reply = await h.send('text-message');

      expect(reply.status).toBe(200);
      expect(h.seen.map((s) => s.stamp)).toEqual([undefined]);
      expect(logged.map((args) => args[0])).toEqual(['[botsession/line] a tracker call failed:']);
    } finally {
      console.error = log;
      await h.close();
    }
  });
});

describe('lineWebhook() configuration', () => {
  it('throws a ConfigError naming each bad option, never echoing the secret', async () => {
    const tracker = createSessionTracker();
    const good = { tracker, channelSecret: CHANNEL_SECRET, onEvent: () => {} };
    const fieldOf = (options: unknown) => {
      try {
        lineWebhook(options as never);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return [(error as ConfigError).field, (error as ConfigError).message];
      }
      throw new Error('expected a ConfigError');
    };
    try {
      expect(fieldOf({ ...good, tracker: {} })[0]).toBe('tracker');
      expect(fieldOf({ ...good, channelSecret: '' })).toEqual([
        'channelSecret',
        'channelSecret must be a non-empty string, got an empty string',
      ]);
      expect(fieldOf({ ...good, onEvent: 'x' })[0]).toBe('onEvent');
      expect(fieldOf({ ...good, onError: 1 })[0]).toBe('onError');
      expect(fieldOf({ ...good, channel: '' })[0]).toBe('channel');
      expect(fieldOf({ ...good, bodyLimitBytes: -1 })[0]).toBe('bodyLimitBytes');
      expect(fieldOf({ ...good, secret: 'typo' })).toEqual([
        'secret',
        expect.stringContaining('secret is not a lineWebhook option'),
      ]);
    } finally {
      await tracker.close();
    }
  });
});
