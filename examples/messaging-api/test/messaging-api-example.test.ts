import type { SessionTracker } from '@botsession/core';
import { afterEach, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { createSupportBot } from '../src/bot.js';

const KEY = 'example-key-0123456789';
let tracker: SessionTracker | undefined;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

it('answers, keeps one session, and ends it with a survey answered through the conversation endpoint', async () => {
  const lines: string[] = [];
  const bot = createSupportBot({ apiKeys: [KEY], log: (line) => lines.push(line) });
  tracker = bot.tracker;
  const { url: base } = await listenLocal(bot.handler);
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return response.json() as Promise<{
      sessionId: string;
      isNew: boolean;
      replies: string[];
      session: unknown;
    }>;
  };
  const message = (text: string) => post('/v1/messages', { conversationId: 'chat-1', userId: 'ana', text });

  const first = await message('where is my parcel?');
  expect(first.replies).toEqual(['Hello! Parcels arrive within 3 working days.']);
  const second = await message('bye');
  expect(second).toMatchObject({ sessionId: first.sessionId, isNew: false });
  expect(second.replies[0]).toMatch(/How did we do/);
  const answered = await post('/v1/conversations/chat-1/survey-answered');
  expect(answered.session).toMatchObject({ id: first.sessionId, endReason: 'survey', botMessages: 2 });
  expect(lines).toEqual([
    `session ${first.sessionId} started (chat-1)`,
    `session ${first.sessionId} ended: survey`,
  ]);

  const agent = await message('agent');
  expect(agent.isNew).toBe(true);
  expect(lines.at(-1)).toBe(`session ${agent.sessionId} ended: handoff`);
});
