import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { createApp } from '../src/app.js';

let tracker: SessionTracker;

afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

async function start(): Promise<{ url: string; ends: Session[] }> {
  tracker = createSessionTracker();
  const ends: Session[] = [];
  tracker.on('sessionEnd', (s) => {
    ends.push(s);
  });
  const { url } = await listenLocal(createApp(tracker, 'example-secret-example-secret-example'));
  return { url, ends };
}

async function post(url: string, body: object) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as { token: string; sessionId: string; replies: Array<{ text: string }> };
}

describe('web example (express)', () => {
  it('serves the page with the widget tag and the widget under /botsession', async () => {
    const { url } = await start();
    expect(await (await fetch(url)).text()).toContain('<script src="/botsession/widget.js"');
    const widget = await fetch(`${url}/botsession/widget.js`);
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await widget.text()).toContain('Close chat');
  });

  it('answers "hours", and "human" hands the conversation off, ending the session', async () => {
    const { url, ends } = await start();
    const { token } = await post(`${url}/botsession/open`, {});
    const hours = await post(`${url}/botsession/message`, { token, text: 'opening hours?' });
    expect(hours.replies.map((r) => r.text)).toEqual(['We are open 9:00–18:00, Monday to Saturday.']);
    const human = await post(`${url}/botsession/message`, { token, text: 'a human please' });
    expect(human.replies[0]!.text).toBe('Connecting you to a person from our team…');
    expect(ends.map((s) => [s.id, s.endReason, s.botMessages])).toEqual([[hours.sessionId, 'handoff', 2]]);
    expect(human.sessionId).toBe(hours.sessionId); // the handoff reply did not open a new session
  });
});
