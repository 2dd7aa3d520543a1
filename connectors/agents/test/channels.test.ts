import { BotSessionMiddleware, getSession, refOf } from '@botsession/agents';
import { ConfigError, createSessionTracker, type SessionStamp } from '@botsession/core';
import type { Activity } from '@microsoft/agents-activity';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function channelOfTurn(activity: string | Partial<Activity>, map?: Record<string, string>) {
  h = await startHarness(map ? { middleware: { channels: map } } : {});
  let seen: SessionStamp | undefined;
  h.logic = async (context) => {
    seen = getSession(context);
  };
  await h.deliver(activity);
  await h.close();
  h = undefined;
  return seen?.session.channel;
}

describe('channels', () => {
  it('maps msteams to teams, webchat and directline to web, sms and twilio-sms to sms; keeps telegram, facebook, slack, line', async () => {
    expect(await channelOfTurn('msteams-message')).toBe('teams');
    expect(await channelOfTurn('webchat-message')).toBe('web');
    expect(await channelOfTurn('directline-message')).toBe('web');
    expect(await channelOfTurn('telegram-message')).toBe('telegram');
    for (const channelId of ['facebook', 'slack', 'line']) {
      expect(await channelOfTurn(fixture('directline-message', { channelId }))).toBe(channelId);
    }
    for (const channelId of ['sms', 'twilio-sms']) {
      expect(await channelOfTurn(fixture('directline-message', { channelId }))).toBe('sms');
    }
  });

  it('follows Teams for Microsoft 365 Copilot (msteams:COPILOT) unless options.channels names it', async () => {
    const copilot = fixture('msteams-message', { channelId: 'msteams:COPILOT' });
    expect(await channelOfTurn(copilot)).toBe('teams');
    expect(
      await channelOfTurn(fixture('msteams-message', { channelId: 'msteams:COPILOT' }), {
        'msteams:COPILOT': 'copilot',
      }),
    ).toBe('copilot');
  });

  it('passes other channel ids through (default policy) unless options.channels maps them', async () => {
    expect(await channelOfTurn(fixture('directline-message', { channelId: 'emulator' }))).toBe('emulator');
    expect(
      await channelOfTurn(fixture('directline-message', { channelId: 'emulator' }), { emulator: 'web' }),
    ).toBe('web');
    expect(await channelOfTurn('msteams-message', { msteams: 'teams-support' })).toBe('teams-support');
  });

  it('tracks each Teams channel thread as its own conversation, with the sender as user', async () => {
    h = await startHarness();
    await h.deliver('msteams-channel-mention');

    expect(h.started[0]).toMatchObject({
      channel: 'teams',
      conversationId: '19:c3a1f0e2b6d94c4e8f7a2b1d0e9c8f7a@thread.tacv2;messageid=1732096800789',
      userId: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw',
    });
  });
});

describe('refOf', () => {
  it('gives handlers the mapped ref for any tracker call', async () => {
    h = await startHarness({ middleware: { channels: { msteams: 'teams-support' } } });
    const tracker = h.tracker;
    const refs: unknown[] = [];
    h.logic = async (context) => {
      refs.push(refOf(context));
      await tracker.surveySent(refOf(context));
    };
    await h.deliver('msteams-message');

    const { conversation, from } = fixture('msteams-message');
    const conversationId = conversation!.id;
    expect(refs).toEqual([{ channel: 'teams-support', conversationId, userId: from!.id }]);
    expect((await tracker.get({ channel: 'teams-support', conversationId }))?.surveySentAt).toBeTypeOf(
      'number',
    );
  });

  it('maps a bare activity with the built-in channel map', () => {
    expect(refOf(fixture('telegram-message'))).toEqual({
      channel: 'telegram',
      conversationId: '424242424',
      userId: '424242424',
    });
    expect(refOf(fixture('msteams-message')).channel).toBe('teams');
  });

  it('names the missing field of an activity without a conversation', () => {
    expect(() => refOf({ type: 'message', channelId: 'webchat' })).toThrow(/activity\.conversation\.id/);
  });
});

describe('configuration', () => {
  it('throws a ConfigError naming a bad channels entry', async () => {
    const tracker = createSessionTracker();
    try {
      const bad = () => new BotSessionMiddleware(tracker, { channels: { msteams: '' } });
      expect(bad).toThrow(ConfigError);
      expect(bad).toThrow(/channels\.msteams must be a non-empty botsession channel id, got ""/);
    } finally {
      await tracker.close();
    }
  });

  it('throws a ConfigError for an unknown option and for a missing tracker', async () => {
    const tracker = createSessionTracker();
    try {
      const unknown = { channel: { msteams: 'teams' } } as never;
      expect(() => new BotSessionMiddleware(tracker, unknown)).toThrow(
        expect.objectContaining({ name: 'ConfigError', field: 'channel' }),
      );
      expect(() => new BotSessionMiddleware(undefined as never)).toThrow(
        expect.objectContaining({ name: 'ConfigError', field: 'tracker' }),
      );
    } finally {
      await tracker.close();
    }
  });
});
