/**
 * Slack retries an event it got no 2xx for within 3 s, up to three times, with the same body
 * (same `event_id`, same message `ts`) and `X-Slack-Retry-Num`, possibly to another process.
 * https://docs.slack.dev/apis/events-api/#retries
 */
import type { Session, SessionStamp } from '@botsession/core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './setup.js';
import { fixture, postEvent, postEventWith, retryHeaders } from './support/slack.js';

const h = useHarness();
const general = { channel: 'slack', conversationId: 'C0GENERAL' };

describe('Slack retries of a user message', () => {
  it('count the message once; the handler runs again with the first stamp, marked redelivered', async () => {
    const { app, start, tracker } = h.setup();
    const seen: Array<SessionStamp | undefined> = [];
    app.message(async ({ context, say }) => {
      seen.push(context.botSession);
      await say('hi');
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    await postEventWith(url, fixture('message'), retryHeaders(1, 'http_timeout'));
    expect(seen.map((stamp) => stamp?.redelivered)).toEqual([false, true]);
    expect(seen[1]?.sessionId).toBe(seen[0]?.sessionId);
    expect(await tracker.get(general)).toMatchObject({ userMessages: 1 });
  });

  it('with processBeforeResponse, a failed attempt keeps the session: the retry is answered inside it', async () => {
    const { app, start, tracker } = h.setup({ middleware: { processBeforeResponse: true } });
    const ended: Session[] = [];
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    const seen: Array<SessionStamp | undefined> = [];
    let fail = true;
    app.message(async ({ context, say }) => {
      seen.push(context.botSession);
      if (fail) throw new Error('the order service is down');
      await say('Your order is on its way.');
    });
    const url = await start();

    const first = await postEvent(url, fixture('message'));
    expect(first.status).toBe(500); // Bolt's answer, so Slack retries
    expect(ended).toEqual([]);
    fail = false;
    const retry = await postEventWith(url, fixture('message'), retryHeaders(1));
    expect(retry.status).toBe(200);
    expect(seen[1]).toMatchObject({ redelivered: true, session: { status: 'active' } });
    expect(seen[1]?.sessionId).toBe(seen[0]?.sessionId);
    expect(await tracker.get(general)).toMatchObject({
      id: seen[0]?.sessionId,
      userMessages: 1,
      botMessages: 1,
    });
    expect(h.api.posted()[0]?.args.metadata).toEqual({
      event_type: 'botsession',
      event_payload: { session_id: seen[0]?.sessionId },
    });
  });

  it("with processBeforeResponse, the failure of Slack's last retry ends the session interrupted, once", async () => {
    const { app, start, tracker } = h.setup({ middleware: { processBeforeResponse: true } });
    const ended: Session[] = [];
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    let runs = 0;
    app.message(async () => {
      runs += 1;
      throw new Error('the order service is down');
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    await postEventWith(url, fixture('message'), retryHeaders(1));
    await postEventWith(url, fixture('message'), retryHeaders(2));
    expect(ended).toEqual([]);
    await postEventWith(url, fixture('message'), retryHeaders(3));
    expect(runs).toBe(4);
    expect(ended.map((session) => session.endReason)).toEqual(['interrupted']);
    expect(ended[0]).toMatchObject({ userMessages: 1 });
  });

  it('by default (Bolt acknowledges first) a failure ends the session at once; a later redelivery opens no second one', async () => {
    const { app, start, tracker } = h.setup();
    const started: Session[] = [];
    tracker.on('sessionStart', (session) => {
      started.push(session);
    });
    const seen: Array<SessionStamp | undefined> = [];
    let fail = true;
    app.message(async ({ context, say }) => {
      seen.push(context.botSession);
      if (fail) throw new Error('boom');
      await say('late answer');
    });
    app.error(async () => {});
    const url = await start();

    await postEvent(url, fixture('message'));
    expect(await tracker.get(general)).toBeUndefined();
    fail = false;
    await postEventWith(url, fixture('message'), retryHeaders(1, 'http_timeout'));
    expect(seen[1]).toMatchObject({
      redelivered: true,
      session: { status: 'ended', endReason: 'interrupted' },
    });
    expect(started).toHaveLength(1);
    expect(await tracker.get(general)).toBeUndefined(); // the late answer counted nowhere
  });
});

describe("the README's snippet: app.message() also fires for bots' messages and edits", () => {
  it.each([['bot_message'], ['message_changed'], ['message_deleted']])(
    'a reply to a %s event opens no bot-only session',
    async (name) => {
      const { app, start, tracker } = h.setup();
      const stamps: Array<SessionStamp | undefined> = [];
      app.message(async ({ context, say }) => {
        stamps.push(context.botSession);
        await say(`You are in session ${context.botSession?.sessionId}`);
      });
      const url = await start();

      await postEvent(url, fixture(name));
      expect(await tracker.get(general)).toBeUndefined();
      // Only meaningful when Bolt handed the event to the listener (it does for these subtypes).
      expect(stamps).toEqual([undefined]);
    },
  );

  it("a reply to another bot's message inside a user's session still counts in it", async () => {
    const { app, start, tracker } = h.setup();
    app.message(async ({ say }) => {
      await say('noted');
    });
    const url = await start();

    await postEvent(url, fixture('message'));
    await postEvent(url, fixture('bot_message'));
    expect(await tracker.get(general)).toMatchObject({ userMessages: 1, botMessages: 2 });
  });
});
