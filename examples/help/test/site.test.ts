import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSite, startHelpCenterSite } from '../src/site.js';

let site: RunningSite | undefined;
let tracker: SessionTracker | undefined;

afterEach(async () => {
  await site?.close();
  await tracker?.close();
});

const TAB = 'example_tab_0123456789';

describe('example help center', () => {
  it('serves pages marked for the tracker, and the tracker script', async () => {
    tracker = createSessionTracker();
    site = await startHelpCenterSite({ tracker });
    const home = await (await fetch(site.url)).text();
    expect(home).toContain('<script src="/botsession/tracker.js" defer>');
    expect(home).toContain('data-botsession-search');
    expect(home).toContain('data-botsession-results');
    const article = await (await fetch(`${site.url}/articles/two-factor`)).text();
    expect(article).toContain('data-botsession-article="two-factor"');
    expect(article).toContain('data-botsession-suggested');
    expect((await fetch(`${site.url}/articles/nope`)).status).toBe(404);
    expect((await fetch(`${site.url}/botsession/tracker.js`)).status).toBe(200);
  });

  it('answers 500 and ends the session as interrupted when its onEvent fails', async () => {
    tracker = createSessionTracker();
    const ends: Session[] = [];
    tracker.on('sessionEnd', (s) => void ends.push(s));
    let calls = 0;
    site = await startHelpCenterSite({
      tracker,
      onEvent: () => {
        calls += 1;
        if (calls === 2) throw new Error('example: logging failed');
      },
    });
    const post = () =>
      fetch(`${site!.url}/botsession/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tabId: TAB,
          events: [{ type: 'open', article: 'two-factor', via: 'direct' }],
        }),
      });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (error: unknown) => void errors.push(error);
    try {
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(500);
    } finally {
      console.error = original;
    }
    expect(ends.map((s) => s.endReason)).toEqual(['interrupted']);
    expect(errors).toHaveLength(1);
  });
});
