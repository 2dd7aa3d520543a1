import { ConfigError, createSessionTracker, type Session } from '@botsession/core';
import { botSession, refOf } from '@botsession/slack';
import { afterAll, describe, expect, it } from 'vitest';
import { useHarness } from './setup.js';
import { fixture, postEvent, postInteraction } from './support/slack.js';

const h = useHarness();

describe('refOf', () => {
  it("lets a button handler hand the conversation to a human: the session ends with 'handoff'", async () => {
    const { app, start, tracker } = h.setup();
    const ended: Session[] = [];
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    app.message(async () => {});
    app.action('talk_to_human', async (args) => {
      await args.ack();
      await tracker.handoff(refOf(args));
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    await postInteraction(url, fixture('block_actions'));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ conversationId: 'C0GENERAL', endReason: 'handoff', userMessages: 2 });
  });

  it('maps an Events API body, a thread reply and an interaction without the middleware', () => {
    expect(refOf(fixture('message'))).toEqual({
      channel: 'slack',
      conversationId: 'C0GENERAL',
      userId: 'U0ALICE',
    });
    expect(refOf({ body: fixture('message_in_thread') })).toEqual({
      channel: 'slack',
      conversationId: 'C0GENERAL:1355517523.000005',
      userId: 'U0ALICE',
    });
    expect(refOf(fixture('block_actions'))).toEqual({
      channel: 'slack',
      conversationId: 'C0GENERAL',
      userId: 'U0ALICE',
    });
  });

  it('uses the channel id the middleware was configured with', async () => {
    const { app, start, tracker } = h.setup({ middleware: { channel: 'slack-support' } });
    let ref: unknown;
    app.message(async (args) => {
      ref = refOf(args);
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    expect(ref).toEqual({ channel: 'slack-support', conversationId: 'C0GENERAL', userId: 'U0ALICE' });
    expect(await tracker.get({ channel: 'slack-support', conversationId: 'C0GENERAL' })).toMatchObject({
      userMessages: 1,
    });
  });

  it('names what is missing for a request with no conversation (a home tab click)', () => {
    const click = fixture('block_actions');
    delete click.channel;
    delete click.container.channel_id;
    expect(() => refOf(click)).toThrow(/no conversation/);
  });
});

describe('configuration', () => {
  const tracker = createSessionTracker();
  afterAll(() => tracker.close());

  it('rejects a missing tracker with a ConfigError naming the field', () => {
    expect(() => botSession(undefined as never)).toThrow(ConfigError);
    expect(() => botSession(undefined as never)).toThrow(/tracker must be a SessionTracker/);
  });

  it('rejects an empty channel id', () => {
    let error: unknown;
    try {
      botSession(tracker, { channel: '' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('channel');
    expect((error as Error).message).toBe('options.channel must be a non-empty string, got ""');
  });

  it('rejects an unknown option', () => {
    expect(() => botSession(tracker, { chanel: 'slack' } as never)).toThrow(
      'options.chanel is not an option of botSession (known: channel, processBeforeResponse)',
    );
  });
});
