import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLineApi, startFakeLineApi } from '../../../connectors/line/test/fake-line-api.js';
import { fixture, fixtureWith, postSigned } from '../../../connectors/line/test/harness.js';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { createLineBot, type LineBot } from '../dist/bot.js';

// The connector's test secret, so its signing helper and fixtures serve here too.
const CHANNEL_SECRET = 'test-channel-secret';
const ADA = 'U4af4980629a4b3c5d6e7f8091a2b3c4d';

describe('the example LINE bot', () => {
  let api: FakeLineApi;
  let bot: LineBot;
  let url: string;
  let log: string[];
  const replies = () =>
    api
      .callsTo('/v2/bot/message/reply')
      .map((call) => (call.body.messages as Array<{ text: string }>)[0]?.text);
  const say = (said: string, id: string) =>
    postSigned(
      url,
      fixtureWith('text-message', (events) => {
        const event = events[0] as { webhookEventId: string; replyToken: string; message: { text: string } };
        event.webhookEventId = id;
        event.replyToken = `token-${id}`;
        event.message.text = said;
      }),
    );

  beforeEach(async () => {
    api = await startFakeLineApi();
    log = [];
    bot = createLineBot({
      channelSecret: CHANNEL_SECRET,
      channelAccessToken: 'token',
      apiBaseURL: api.baseURL,
      log: (line) => log.push(line),
    });
    ({ url } = await listenLocal(bot.handler));
  });
  afterEach(async () => {
    await closeAllLocalServers();
    await bot.tracker.close();
    await api.close();
  });

  it('welcomes a new friend, which opens the session, and answers messages in it', async () => {
    expect((await postSigned(url, fixture('follow'))).status).toBe(200);
    await say('where is my order?', '01JD4QX0000000000000000001');

    const session = await bot.tracker.get({ channel: 'line', conversationId: ADA });
    const short = session?.id.slice(0, 8);
    expect(replies()).toEqual([
      'Thanks for adding me! Ask about an order, or try "agent", "survey" or "crash".',
      `You said "where is my order?" in session ${short}…, message 2.`,
    ]);
    expect(session).toMatchObject({ userMessages: 1, botMessages: 2 });
  });

  it('ends the session on "agent" (handoff), on a survey answer, and on "crash"', async () => {
    await say('agent', '01JD4QX0000000000000000002');
    await say('survey', '01JD4QX0000000000000000003');
    await postSigned(url, fixture('postback').replace('action=rate&score=5', 'rate=4'));
    await say('crash', '01JD4QX0000000000000000004');

    expect(log.filter((line) => line.startsWith('■')).map((line) => /ended: (\w+)/.exec(line)?.[1])).toEqual([
      'handoff',
      'survey',
      'interrupted',
    ]);
    expect(log).toContain('! onEvent: the order service did not answer');
  });

  it('counts a proactive reminder pushed to the user, and the answer joins its session', async () => {
    await bot.remind(ADA);
    await say('no, thanks', '01JD4QX0000000000000000005');

    expect(await bot.tracker.get({ channel: 'line', conversationId: ADA })).toMatchObject({
      botMessages: 2,
      userMessages: 1,
    });
  });
});

it('main exits with a message when the channel secret or token is not set', async () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const { LINE_CHANNEL_SECRET: _secret, LINE_CHANNEL_ACCESS_TOKEN: _token, ...env } = process.env;
  const run = promisify(execFile)(process.execPath, [main], { env, timeout: 10_000 });
  await expect(run).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('Set LINE_CHANNEL_SECRET'),
  });
});
