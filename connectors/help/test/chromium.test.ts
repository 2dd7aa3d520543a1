/**
 * The browser tracker in real Chromium against the example help center (examples/help) served on
 * 127.0.0.1: every way a help session starts, what does not start one, tabs, and inactivity.
 */
import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import type { HelpEvent } from '@botsession/help';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSite, startHelpCenterSite } from '../../../examples/help/src/site.js';
import { type LaunchedBrowser, launchChromium } from '../../../test/support/chromium.js';

interface Seen {
  event: HelpEvent;
  tabId: string;
  sessionId: string | undefined;
  /** `text/plain` for a beacon, `application/json` for fetch. */
  contentType: string | undefined;
  /** An event the page sent again (its answer was lost): the tracker counted nothing. */
  redelivered: boolean;
}

let browser: LaunchedBrowser;
let site: RunningSite | undefined;
let tracker: SessionTracker | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const page of browser.context.pages()) await page.close();
  await site?.close();
  await tracker?.close();
  site = undefined;
  tracker = undefined;
});

async function helpCenter(inactivityTimeoutMs?: number) {
  tracker = createSessionTracker(
    inactivityTimeoutMs === undefined ? {} : { channels: { help: { inactivityTimeoutMs } } },
  );
  const seen: Seen[] = [];
  const starts: Session[] = [];
  const ends: Session[] = [];
  tracker.on('sessionStart', (s) => void starts.push(s));
  tracker.on('sessionEnd', (s) => void ends.push(s));
  site = await startHelpCenterSite({
    tracker,
    onEvent: (event, { source, stamp, req }) => {
      seen.push({
        event,
        tabId: source.tabId,
        sessionId: stamp?.sessionId,
        contentType: req.headers['content-type'],
        redelivered: stamp?.redelivered === true,
      });
    },
  });
  return { url: site.url, seen, starts, ends, tracker };
}

/** A new tab, counting the requests it sends to the events API. */
async function newTab(): Promise<{ page: Page; posts: () => number }> {
  const page = await browser.context.newPage();
  let posts = 0;
  page.on('request', (request) => {
    if (request.url().endsWith('/botsession/events')) posts += 1;
  });
  return { page, posts: () => posts };
}

function tabIdOf(page: Page): Promise<string> {
  return page.evaluate('window.botsession.tabId') as Promise<string>;
}

/** The page's own event ids: 128 random bits, base64url. */
const EVENT_ID = /^[A-Za-z0-9_-]{22}$/;

const opens = (seen: Seen[]) => seen.filter((s) => s.event.type === 'open');

describe('help sessions in Chromium: how a session starts', () => {
  it('starts no session on the home page, and one when an article is opened by a click', async () => {
    const { url, seen, starts } = await helpCenter();
    const { page, posts } = await newTab();
    await page.goto(url);
    await page.waitForFunction('window.botsession !== undefined');
    expect(posts()).toBe(0);
    await page.click('nav.cards a[href="/articles/reset-password"]');
    await expect.poll(() => starts.length).toBe(1);
    expect(seen).toMatchObject([
      {
        event: { type: 'open', article: 'reset-password', via: 'click' },
        tabId: await tabIdOf(page),
        sessionId: starts[0]!.id,
        contentType: 'application/json',
      },
    ]);
    expect(starts[0]).toMatchObject({ channel: 'help', interactions: 1 });
  });

  it('starts a session when the visitor arrives directly on an article link', async () => {
    const { url, seen, starts } = await helpCenter();
    const { page } = await newTab();
    await page.goto(`${url}/articles/billing-cycle`);
    await expect.poll(() => starts.length).toBe(1);
    expect(seen.map((s) => s.event)).toEqual([
      { type: 'open', article: 'billing-cycle', via: 'direct', id: expect.stringMatching(EVENT_ID) },
    ]);
    expect(starts[0]!.conversationId).toBe(await tabIdOf(page));
  });

  it('starts a session from the search bar: a search, then a result chosen with Enter', async () => {
    const { url, seen, starts, tracker } = await helpCenter();
    const { page, posts } = await newTab();
    await page.goto(url);
    // fill(): the query arrives in one input event. Typed key by key, a busy machine can pause
    // longer than the typing pause (800 ms) between two keys, and half a word becomes a search.
    await page.locator('#search').fill('account');
    await expect(page.locator('#results li').count()).resolves.toBeGreaterThan(1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const chosen = await page.locator('#results li[aria-selected="true"] a').getAttribute('href');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${url}${chosen}`);
    await expect.poll(() => starts.length).toBe(1);
    // One request from the article page: the held search and the open together.
    expect(posts()).toBe(1);
    const sessionId = starts[0]!.id;
    expect(seen.map((s) => [s.event, s.sessionId])).toEqual([
      [{ type: 'search', id: expect.stringMatching(EVENT_ID) }, sessionId],
      [
        {
          type: 'open',
          article: chosen!.replace('/articles/', ''),
          via: 'search',
          id: expect.stringMatching(EVENT_ID),
        },
        sessionId,
      ],
    ]);
    const session = await tracker.get({ channel: 'help', conversationId: await tabIdOf(page) });
    expect(session).toMatchObject({ id: sessionId, interactions: 2 });
  });

  it('starts nothing for a search whose result is never opened; the search waits in the page', async () => {
    const { url, seen, starts, tracker } = await helpCenter();
    const { page, posts } = await newTab();
    await page.goto(url);
    await page.locator('#search').fill('billing');
    await expect(page.locator('#results li').count()).resolves.toBe(1);
    // Past the typing pause that makes the query a search (800 ms), and then some.
    await page.waitForTimeout(1500);
    await page.keyboard.press('Escape');
    expect(posts()).toBe(0);
    expect(starts).toEqual([]);
    const held = JSON.parse((await page.evaluate('sessionStorage.getItem("botsession.pending")')) as string);
    expect(held).toEqual([{ type: 'search', id: expect.stringMatching(EVENT_ID) }]);

    // Opening an article later in this tab reports the held search with it.
    await page.click('nav.cards a[href="/articles/two-factor"]');
    await expect.poll(() => starts.length).toBe(1);
    expect(seen.map((s) => s.event.type)).toEqual(['search', 'open']);
    expect(seen[0]!.event.id).toBe(held[0].id); // the held search keeps its id until it is sent
    const session = await tracker.get({ channel: 'help', conversationId: await tabIdOf(page) });
    expect(session).toMatchObject({ id: starts[0]!.id, interactions: 2 });
  });

  it('sends an open whose answer was lost again with its id, and the server counts it once', async () => {
    const { url, seen, starts, tracker } = await helpCenter();
    const { page } = await newTab();
    const batches: Array<Array<{ type: string; id: string }>> = [];
    let lost = false;
    // The first request reaches the server, which counts it; its answer never reaches the page.
    await page.route('**/botsession/events', async (route) => {
      batches.push(JSON.parse(route.request().postData() ?? '{}').events);
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.goto(`${url}/articles/reset-password`);
    await expect.poll(() => batches.length).toBe(1);
    await expect
      .poll(() => page.evaluate('sessionStorage.getItem("botsession.pending")'))
      .toContain(batches[0]![0]!.id);
    // The next article sends the lost open again, with the same id, beside its own.
    await page.click('aside a[href="/articles/two-factor"]');
    await expect.poll(() => batches.length).toBe(2);
    await expect.poll(() => seen.length).toBe(3);
    expect(batches[1]!.map((event) => event.id)).toEqual([
      batches[0]![0]!.id,
      expect.stringMatching(EVENT_ID),
    ]);
    expect(starts).toHaveLength(1);
    const session = await tracker.get({ channel: 'help', conversationId: await tabIdOf(page) });
    expect(session).toMatchObject({ id: starts[0]!.id, interactions: 2 });
  });
});

describe('help sessions in Chromium: inside a session', () => {
  it('counts searches and clicks on suggested articles as interactions of the same session', async () => {
    const { url, seen, starts, tracker } = await helpCenter();
    const { page } = await newTab();
    // A navigation can cut off the answer to the request before it: the page then sends that
    // event again with its id, and the tracker counts it once (a redelivery). Under load that
    // happens here; what is asserted is what was counted.
    const counted = () => seen.filter((s) => !s.redelivered);
    await page.goto(`${url}/articles/reset-password`);
    await expect.poll(() => counted().length).toBe(1);
    await page.locator('#search').fill('email');
    await expect.poll(() => counted().length, { timeout: 5000 }).toBe(2);
    await page.click('aside[data-botsession-suggested] a[href="/articles/change-email"]');
    await expect.poll(() => counted().length).toBe(3);
    await page.reload();
    await expect.poll(() => counted().length).toBe(4);
    expect(starts).toHaveLength(1);
    expect(counted().map((s) => s.sessionId)).toEqual(Array(4).fill(starts[0]!.id));
    expect(counted().map((s) => (s.event.type === 'open' ? s.event.via : 'search'))).toEqual([
      'direct',
      'search',
      'suggested',
      'reload',
    ]);
    const session = await tracker.get({ channel: 'help', conversationId: await tabIdOf(page) });
    expect(session?.interactions).toBe(4);
  });

  it('sends a search typed just before leaving the page with a beacon, inside the active session', async () => {
    const { url, seen, starts } = await helpCenter();
    const { page } = await newTab();
    await page.goto(`${url}/articles/reset-password`);
    await expect.poll(() => seen.length).toBe(1);
    // Leave well before the typing pause would have made the query a search.
    await page.locator('#search').fill('invoice');
    await page.click('header > a');
    await page.waitForURL(`${url}/`);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen[1]).toMatchObject({ event: { type: 'search' }, sessionId: starts[0]!.id });
    expect(seen[1]!.contentType).toMatch(/^text\/plain/);
    expect(seen[1]!.tabId).toBe(await tabIdOf(page));
  });
});

describe('help sessions in Chromium: tabs', () => {
  it('starts a second session for an article opened in a new tab with ctrl+click', async () => {
    const { url, seen, starts } = await helpCenter();
    const { page } = await newTab();
    await page.goto(`${url}/articles/reset-password`);
    await expect.poll(() => starts.length).toBe(1);
    const [other] = await Promise.all([
      browser.context.waitForEvent('page'),
      page.click('aside a[href="/articles/two-factor"]', { modifiers: ['Control'] }),
    ]);
    await other.waitForURL(`${url}/articles/two-factor`);
    await expect.poll(() => starts.length).toBe(2);
    const [first, second] = [await tabIdOf(page), await tabIdOf(other)];
    expect(second).not.toBe(first);
    expect(starts.map((s) => s.conversationId)).toEqual([first, second]);
    expect(opens(seen).at(-1)).toMatchObject({
      event: { article: 'two-factor', via: 'new-tab' },
      tabId: second,
    });
    // The first tab's session goes on: its next open is not a new session.
    await page.click('aside a[href="/articles/change-email"]');
    await expect.poll(() => opens(seen).length).toBe(3);
    expect(opens(seen)[2]).toMatchObject({ tabId: first, sessionId: starts[0]!.id });
    expect(starts).toHaveLength(2);
  });

  it('starts a second session for an article opened in a new tab with a middle click', async () => {
    const { url, starts } = await helpCenter();
    const { page } = await newTab();
    await page.goto(`${url}/articles/billing-cycle`);
    await expect.poll(() => starts.length).toBe(1);
    const [other] = await Promise.all([
      browser.context.waitForEvent('page'),
      page.click('aside a[href="/articles/delete-account"]', { button: 'middle' }),
    ]);
    await other.waitForURL(`${url}/articles/delete-account`);
    await expect.poll(() => starts.length).toBe(2);
    expect(starts[1]!.conversationId).toBe(await tabIdOf(other));
    expect(starts[1]!.conversationId).not.toBe(starts[0]!.conversationId);
  });

  it('starts a second session in a window opened by script, although Chromium copies sessionStorage to it', async () => {
    const { url, starts } = await helpCenter();
    const { page } = await newTab();
    await page.goto(`${url}/articles/billing-cycle`);
    await expect.poll(() => starts.length).toBe(1);
    const firstTab = await tabIdOf(page);
    await page.evaluate('sessionStorage.setItem("marker", "copied")');
    const [other] = await Promise.all([
      browser.context.waitForEvent('page'),
      page.evaluate('void window.open("/articles/change-email")'),
    ]);
    await other.waitForURL(`${url}/articles/change-email`);
    await expect.poll(() => starts.length).toBe(2);
    // The copy this test is about did happen: the new window sees the opener's storage.
    expect(await other.evaluate('sessionStorage.getItem("marker")')).toBe('copied');
    expect(starts[1]!.conversationId).toBe(await tabIdOf(other));
    expect(starts[1]!.conversationId).not.toBe(firstTab);
  });
});

describe('help sessions in Chromium: inactivity', () => {
  it('ends the session after the (shortened) inactivity timeout; the next open starts another', async () => {
    const { url, starts, ends, seen } = await helpCenter(300);
    const { page, posts } = await newTab();
    await page.goto(`${url}/articles/reset-password`);
    await expect.poll(() => starts.length).toBe(1);
    await expect.poll(() => ends.length, { timeout: 5000 }).toBe(1);
    expect(ends[0]).toMatchObject({ id: starts[0]!.id, endReason: 'inactivity' });
    expect(ends[0]!.endedAt).toBe(ends[0]!.lastUserMessageAt! + 300);
    // The page knows the session is over: a search now waits for an article.
    const before = posts();
    await page.locator('#search').fill('password');
    await page.waitForTimeout(1200);
    expect(posts()).toBe(before);
    await page.click('aside a[href="/articles/change-email"]');
    await expect.poll(() => starts.length).toBe(2);
    expect(starts[1]!.conversationId).toBe(starts[0]!.conversationId);
    expect(opens(seen).at(-1)?.sessionId).toBe(starts[1]!.id);
  });
});
