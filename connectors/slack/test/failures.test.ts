import type { Session, SessionStamp } from '@botsession/core';
import { describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { useHarness } from './setup.js';
import { fixture, postEvent } from './support/slack.js';

const h = useHarness();
const general = { channel: 'slack', conversationId: 'C0GENERAL' };

function nextMessage(ts: string) {
  const body = fixture('message');
  body.event.ts = ts;
  body.event_id = `Ev${ts}`;
  return body;
}

describe('when the bot handler throws', () => {
  it("ends the session 'interrupted', hands the error to app.error, and the next message starts a new session", async () => {
    const { app, start, tracker } = h.setup();
    const ended: Session[] = [];
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    const stamps: Array<SessionStamp | undefined> = [];
    let fail = true;
    app.message(async ({ context }) => {
      stamps.push(context.botSession);
      if (fail) throw new Error('the order service is down');
    });
    const errors: unknown[] = [];
    app.error(async (error) => {
      errors.push(error);
    });
    const url = await start();

    await postEvent(url, nextMessage('1700000001.000001'));
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as { original?: unknown }).original ?? errors[0])).toContain(
      'the order service is down',
    );
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'interrupted' });
    expect(await tracker.get(general)).toBeUndefined();

    fail = false;
    await postEvent(url, nextMessage('1700000002.000001'));
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });

  it("answers Slack with a 500 when no app.error handles it (Bolt's own behaviour)", async () => {
    const { app, start } = h.setup();
    app.message(async () => {
      throw new Error('boom');
    });
    const url = await start();
    const res = await postEvent(url, fixture('message'));
    expect(res.status).toBe(500);
  });

  it('keeps the session when the channel policy does not end on interruption', async () => {
    const { app, start, tracker } = h.setup({
      tracker: { channels: { slack: { endOn: { interruption: false } } } },
    });
    app.message(async () => {
      throw new Error('boom');
    });
    app.error(async () => {});
    const url = await start();

    await postEvent(url, fixture('message'));
    expect(await tracker.get(general)).toMatchObject({ status: 'active', userMessages: 1 });
  });
});

describe('when the session store is down', () => {
  it('still runs the handler without a stamp, still posts the reply, and the tracker emits error', async () => {
    const { app, start, tracker } = h.setup({ tracker: { backend: unavailableBackend() } });
    const trackerErrors: Error[] = [];
    tracker.on('error', (error) => {
      trackerErrors.push(error);
    });
    const ran: Array<SessionStamp | undefined> = [];
    app.message(async ({ context, say }) => {
      ran.push(context.botSession);
      await say('still here');
    });
    const url = await start();

    const res = await postEvent(url, fixture('message'));
    expect(res.status).toBe(200);
    expect(ran).toEqual([undefined]);
    const [reply] = h.api.posted();
    expect(reply?.args.text).toBe('still here');
    expect(reply?.args.metadata).toBeUndefined();
    // One for the user's message, one for the reply.
    expect(trackerErrors.map((error) => error.name)).toEqual([
      'StoreUnavailableError',
      'StoreUnavailableError',
    ]);
  });
});

describe('inactivity', () => {
  it('ends a Slack session after the inactivity timeout, and the next message starts a new one', async () => {
    const { app, start, tracker } = h.setup({
      tracker: { channels: { slack: { inactivityTimeoutMs: 300 } } },
    });
    const ended = new Promise<Session>((resolve) => tracker.on('sessionEnd', resolve));
    const stamps: Array<SessionStamp | undefined> = [];
    app.message(async ({ context, say }) => {
      stamps.push(context.botSession);
      await say('ok');
    });
    const url = await start();

    await postEvent(url, nextMessage('1700000001.000001'));
    const session = await ended;
    expect(session).toMatchObject({ id: stamps[0]?.sessionId, endReason: 'inactivity', botMessages: 1 });
    expect(session.endedAt).toBe((session.lastUserMessageAt ?? 0) + 300);

    await postEvent(url, nextMessage('1700000002.000001'));
    expect(stamps[1]?.isNew).toBe(true);
    expect(stamps[1]?.sessionId).not.toBe(stamps[0]?.sessionId);
  });
});
