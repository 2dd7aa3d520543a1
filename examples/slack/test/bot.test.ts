import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeSlackApi,
  fixture,
  postEvent,
  postInteraction,
  recordingLogger,
  SIGNING_SECRET,
  startFakeSlackApi,
} from '../../../connectors/slack/test/support/slack.js';
import { createBot } from '../src/bot.js';

describe('the example Slack bot', () => {
  let api: FakeSlackApi;
  let tracker: SessionTracker;
  let app: ReturnType<typeof createBot>;
  let url: string;

  beforeEach(async () => {
    api = await startFakeSlackApi();
    tracker = createSessionTracker();
    app = createBot({
      token: 'xoxb-example',
      signingSecret: SIGNING_SECRET,
      tracker,
      bolt: {
        processBeforeResponse: true,
        logger: recordingLogger(),
        clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } },
      },
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
    await tracker.close();
    await api.close();
  });

  it('answers with the session id, stamped in the reply metadata', async () => {
    await postEvent(url, fixture('message'));
    const session = await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL' });
    const [reply] = api.posted();
    expect(reply?.args.text).toBe(`Session ${session?.id} (new): message 1.`);
    expect(reply?.args.metadata).toEqual({
      event_type: 'botsession',
      event_payload: { session_id: session?.id },
    });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it("ends the session with 'handoff' when the user clicks Talk to a human", async () => {
    const ended: Session[] = [];
    tracker.on('sessionEnd', (session) => {
      ended.push(session);
    });
    await postEvent(url, fixture('message'));
    await postInteraction(url, fixture('block_actions'));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ endReason: 'handoff', userMessages: 2, botMessages: 2 });
  });

  it('answers a mention in its thread, a conversation of its own', async () => {
    await postEvent(url, fixture('app_mention'));
    const thread = await tracker.get({ channel: 'slack', conversationId: 'C0GENERAL:1515449522.000016' });
    expect(thread).toMatchObject({ botMessages: 1, userMessages: 0 });
    expect(api.posted()[0]?.args.thread_ts).toBe('1515449522.000016');
  });
});
