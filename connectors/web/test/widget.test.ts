/**
 * The widget in a real Chromium, against a real server on 127.0.0.1:0 and the real tracker:
 * chat, stamp, X → `closed`, reload → same session, inactivity → `inactivity`, forged ids → 403.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, launchChromium } from '../../../test/support/chromium.js';
import { type Served, serve, until } from './serve.js';

// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; a normal run takes them
// into a temporary folder, so that running the tests leaves the work tree clean.
const DOCS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? new URL('../docs/', import.meta.url)
    : pathToFileURL(`${mkdtempSync(join(tmpdir(), 'botsession-web-shots-'))}/`);

let browser: LaunchedBrowser;
let tracker: SessionTracker;
let served: Served;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(DOCS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await page?.close();
  await served?.close();
  await tracker?.close();
});

async function start(inactivityTimeoutMs?: number): Promise<void> {
  tracker = createSessionTracker(
    inactivityTimeoutMs === undefined ? {} : { channels: { web: { inactivityTimeoutMs } } },
  );
  served = await serve(tracker);
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(served.url);
}

const host = () => page.locator('[data-botsession="web"]');
const launcher = () => page.getByRole('button', { name: 'Chat' });
const input = () => page.getByLabel('Your message');
const dialog = () => page.getByRole('dialog', { name: 'Chat' });
const stampOf = () => host().getAttribute('data-session-id');

/** The element focused inside the widget's shadow root, described as "tag:label". */
const focused = () =>
  page.evaluate(`(() => {
    const el = document.querySelector('[data-botsession]').shadowRoot.activeElement;
    return el ? el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') ?? el.id ?? '') : null;
  })()`);

async function say(text: string): Promise<void> {
  await input().fill(text);
  await input().press('Enter');
  await page.getByText(`echo: ${text}`).waitFor();
}

describe('web chat widget in Chromium', () => {
  it('chats with the stamp on the page; Escape hides, X ends the session closed', async () => {
    await start();
    await launcher().click();
    expect(await focused()).toBe('input:bs-input'); // focus moves into the input on open
    await say('hello');
    const sessionId = served.starts[0]!.id;
    expect(served.starts).toHaveLength(1);
    expect(await stampOf()).toBe(sessionId);
    expect(await page.locator('p.user', { hasText: 'hello' }).getAttribute('data-session-id')).toBe(
      sessionId,
    );
    expect(await page.getByRole('log').textContent()).toBe('helloecho: hello');
    await page.screenshot({ path: new URL('widget-open.png', DOCS).pathname });

    await page.keyboard.press('Escape');
    expect(await dialog().isHidden()).toBe(true);
    expect(await focused()).toBe('button:'); // back on the launcher
    expect(served.ends).toEqual([]); // Escape hides the window; the conversation goes on

    await page.keyboard.press('Enter'); // the focused launcher opens it again
    expect(await dialog().isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Close chat' }).click();
    const ended = await until(() => served.ends[0]);
    expect([ended.id, ended.endReason]).toEqual([sessionId, 'closed']);
    expect(await dialog().isHidden()).toBe(true);
    expect(await stampOf()).toBeNull();
    await page.screenshot({ path: new URL('widget-closed.png', DOCS).pathname });

    // After X the widget forgets the conversation: the next chat is a new conversation and session.
    await launcher().click();
    expect(await page.getByRole('log').textContent()).toBe('');
    await say('back again');
    expect(served.starts).toHaveLength(2);
    expect(served.starts[1]!.conversationId).not.toBe(served.starts[0]!.conversationId);
  });

  it('continues the same conversation and session after a reload; leaving the page is not X', async () => {
    await start();
    await launcher().click();
    await say('first');
    const sessionId = await stampOf();
    await page.reload();
    await page.getByText('echo: first').waitFor(); // transcript and open window restored
    expect(await dialog().isVisible()).toBe(true);
    await say('second');
    expect(await stampOf()).toBe(sessionId);
    await page.goto('about:blank');
    await page.goBack();
    await say('third');
    expect(await stampOf()).toBe(sessionId);
    expect(served.starts).toHaveLength(1);
    expect(served.ends).toEqual([]);
    expect(served.starts[0]!.id).toBe(sessionId);
    const session = await tracker.get({ channel: 'web', conversationId: served.starts[0]!.conversationId });
    expect(session).toMatchObject({ userMessages: 3, botMessages: 3 });
  });

  it('ends the session by inactivity after the shortened web timeout, then starts a new one', async () => {
    await start(1000);
    await launcher().click();
    await say('anyone there?');
    const first = served.starts[0]!;
    const ended = await until(() => served.ends[0], 5000);
    expect(ended.endReason).toBe('inactivity');
    expect(ended.id).toBe(first.id);
    expect(ended.endedAt).toBe(ended.lastUserMessageAt! + 1000); // the rule's deadline, not the timer's
    await say('hello again');
    expect(served.starts).toHaveLength(2);
    expect(served.starts[1]!.conversationId).toBe(first.conversationId); // same conversation, new session
    expect(await stampOf()).toBe(served.starts[1]!.id);
  });

  it('refuses a forged conversation id with 403; the widget then opens a conversation of its own', async () => {
    await start();
    await launcher().click();
    await say('mine');
    const mine = served.starts[0]!;
    // Another visitor's id would need this server's signature: a made-up id with a copied one fails.
    const forged = await page.evaluate(`(async () => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('botsession:web:'));
      const state = JSON.parse(sessionStorage.getItem(key));
      const signature = state.token.split('.')[1];
      state.token = 'w_' + 'A'.repeat(24) + '.' + signature;
      sessionStorage.setItem(key, JSON.stringify(state));
      const res = await fetch('/botsession/message', { method: 'POST', body: JSON.stringify({ token: state.token, text: 'x' }) });
      return { status: res.status, token: state.token };
    })()`);
    expect(forged).toMatchObject({ status: 403 });
    await page.reload();
    const refused = page.waitForResponse((res) => res.url().endsWith('/message') && res.status() === 403);
    await input().fill('hijack');
    await input().press('Enter');
    await refused;
    await page.getByText('echo: hijack').waitFor();
    const forgedId = `w_${'A'.repeat(24)}`;
    expect(await tracker.get({ channel: 'web', conversationId: forgedId })).toBeUndefined();
    expect(served.starts.map((s) => s.conversationId)).not.toContain(forgedId);
    expect(served.starts).toHaveLength(2);
    expect(served.starts[1]!.conversationId).not.toBe(mine.conversationId);
  });

  it('retries a message whose answer was lost with the same id: the server counts it once', async () => {
    await start();
    await launcher().click();
    const sent: Array<{ messageId: string; text: string }> = [];
    let lost = false;
    // The first attempt reaches the server, which counts it; its answer never reaches the page.
    await page.route('**/botsession/message', async (route) => {
      sent.push(JSON.parse(route.request().postData() ?? '{}'));
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await say('are you there?');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.messageId).toBe(sent[0]!.messageId);
    expect(sent[0]!.messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(served.starts).toHaveLength(1);
    const session = await tracker.get({ channel: 'web', conversationId: served.starts[0]!.conversationId });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1, interactions: 2 });
    expect(await page.getByText('echo: are you there?').count()).toBe(1);
    // The next message has an id of its own.
    await page.unroute('**/botsession/message');
    await say('next');
    const after = await tracker.get({ channel: 'web', conversationId: served.starts[0]!.conversationId });
    expect(after).toMatchObject({ userMessages: 2, botMessages: 2 });
  });

  it('sends the close as a beacon when X is clicked while the page is unloading', async () => {
    await start();
    await launcher().click();
    await say('bye');
    const beacons: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/close')) beacons.push(`${request.resourceType()} ${request.method()}`);
    });
    await page.evaluate(`dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))`);
    await page.getByRole('button', { name: 'Close chat' }).click();
    const ended = await until(() => served.ends[0]);
    expect(ended.endReason).toBe('closed');
    expect(beacons).toEqual(['ping POST']);
  });
});
