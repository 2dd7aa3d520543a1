import { createHmac } from 'node:crypto';
import type { SessionTracker } from '@botsession/core';
import { afterEach, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { createTwitterBot } from '../src/bot.js';

const SECRET = 'example-secret';
const ACCOUNT = '4337869213';
const USER = '3001969357';
let tracker: SessionTracker | undefined;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

function dm(
  senderId: string,
  recipientId: string,
  text: string,
  id = String(Math.random()).slice(2),
): string {
  return JSON.stringify({
    for_user_id: ACCOUNT,
    direct_message_events: [
      {
        type: 'message_create',
        id,
        created_timestamp: String(Date.now()),
        message_create: {
          target: { recipient_id: recipientId },
          sender_id: senderId,
          message_data: { text },
        },
      },
    ],
  });
}

async function deliver(url: string, body: string): Promise<number> {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`;
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'x-twitter-webhooks-signature': signature },
  });
  return response.status;
}

it('answers a DM through the X API with its session, and hands over to a human on "agent"', async () => {
  const sent: Array<{ path: string; auth: string | undefined; text: string }> = [];
  const { url: api } = await listenLocal((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      sent.push({ path: req.url ?? '', auth: req.headers.authorization, text: JSON.parse(body).text });
      // X's answer: https://docs.x.com/x-api/direct-messages/send-a-new-message-to-a-user
      const data = {
        dm_conversation_id: `${USER}-${ACCOUNT}`,
        dm_event_id: `15800000000000000${sent.length}`,
      };
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
  });
  const lines: string[] = [];
  const bot = createTwitterBot({
    consumerSecret: SECRET,
    accessToken: 'user-token',
    apiBaseUrl: api,
    log: (line) => lines.push(line),
  });
  tracker = bot.tracker;
  const { url } = await listenLocal(bot.handler);

  expect(await deliver(url, dm(USER, ACCOUNT, 'hello'))).toBe(200);
  const ref = { channel: 'twitter', conversationId: `${ACCOUNT}:${USER}` };
  const session = await tracker.get(ref);
  expect(sent).toEqual([
    {
      path: `/2/dm_conversations/with/${USER}/messages`,
      auth: 'Bearer user-token',
      text: `You said "hello" (session ${session?.id}, new)`,
    },
  ]);
  // The bot counted its reply when it sent it; X delivers it back with the same id: counted once.
  expect(await tracker.get(ref)).toMatchObject({ userMessages: 1, botMessages: 1 });
  await deliver(url, dm(ACCOUNT, USER, sent[0]!.text, '158000000000000001'));
  expect(await tracker.get(ref)).toMatchObject({ userMessages: 1, botMessages: 1 });

  await deliver(url, dm(USER, ACCOUNT, 'agent'));
  expect(await tracker.get(ref)).toBeUndefined();
  expect(lines).toContain(`session ${session?.id} ended: handoff`);
  // The goodbye comes back after the handoff: matched to the counted reply, it opens nothing.
  await deliver(url, dm(ACCOUNT, USER, sent[1]!.text, '158000000000000002'));
  expect(await tracker.get(ref)).toBeUndefined();
  expect(lines.filter((line) => line.endsWith('started (4337869213:3001969357)'))).toHaveLength(1);
});
