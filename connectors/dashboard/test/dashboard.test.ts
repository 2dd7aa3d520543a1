/**
 * The dashboard in a real Chromium against a real server and the real tracker on Redis: the page
 * shows the figures of a run on several channels, equal to tracker.report; the channel filter,
 * the range picker and the auto refresh; screenshots for the README.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSessionTracker, type ReportRow, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { dashboard } from '@botsession/dashboard';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedBrowser, launchChromium } from '../../../test/support/chromium.js';
import { eventually } from '../../../test/support/eventually.js';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { type RedisServer, startRedis } from '../../../test/support/redis-server.js';
import { runTraffic } from './traffic.js';

// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; a normal run takes them
// into a temporary folder, so that running the tests leaves the work tree clean.
const DOCS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? new URL('../docs/', import.meta.url)
    : pathToFileURL(`${mkdtempSync(join(tmpdir(), 'botsession-dashboard-shots-'))}/`);
const TOKEN = 'dashboard-token-0123456789';
const BASIC = `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`;

let browser: LaunchedBrowser;
let redis: RedisServer;
let tracker: SessionTracker;
let page: Page;
let prefixes = 0;

beforeAll(async () => {
  [browser, redis] = await Promise.all([launchChromium(), startRedis()]);
  mkdirSync(DOCS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await redis?.destroy();
});
afterEach(async () => {
  await page?.close();
  await closeAllLocalServers();
  await tracker?.close();
});

async function open(refreshSeconds = 30): Promise<string> {
  tracker = createSessionTracker({
    backend: redisBackend({ connection: redis.url, prefix: `dash${++prefixes}` }),
  });
  const { url } = await listenLocal(
    dashboard({ tracker, token: TOKEN, basePath: '/dashboard', refreshSeconds }),
  );
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.setExtraHTTPHeaders({ authorization: BASIC });
  return `${url}/dashboard/`;
}

async function loaded(): Promise<{ from: number; to: number }> {
  await page.locator('#status[data-state="ok"]').waitFor();
  const body = page.locator('body');
  return {
    from: Number(await body.getAttribute('data-from')),
    to: Number(await body.getAttribute('data-to')),
  };
}

/** The figures a cell or tile carries (data-value), as numbers; null where it shows none. */
async function figure(selector: string): Promise<number | null> {
  const value = await page.locator(selector).getAttribute('data-value');
  return value === null ? null : Number(value);
}

/** Where "last hour" starts: at the ledger hour holding its first moment. */
const lastHourFrom = (to: number) => Math.floor((to - HOUR_MS) / HOUR_MS) * HOUR_MS;
const HOUR_MS = 3_600_000;

async function rowFigures(channel: string): Promise<Array<number | null>> {
  const cells = page.locator(`#channels tbody tr[data-channel="${channel}"] td`);
  const values = await Promise.all((await cells.all()).map((cell) => cell.getAttribute('data-value')));
  return values.map((v) => (v === null ? null : Number(v)));
}

/** What the page's row of a channel must say, from the report row. */
function expectedRow(r: ReportRow): Array<number | null> {
  const handoff = r.endedTotal > 0 ? r.ended.handoff / r.endedTotal : null;
  return [
    r.sessions,
    r.endedTotal,
    r.interactions,
    handoff,
    handoff === null ? null : 1 - handoff,
    r.durationMs.p50,
    r.durationMs.p90,
    r.interactionsPerSession.p50,
    r.interactionsPerSession.p90,
    r.surveys.sent > 0 ? r.surveys.answered / r.surveys.sent : null,
    r.surveys.meanScore,
    r.active,
  ];
}

describe('dashboard page in Chromium', () => {
  it('shows the figures of a real run on Redis, equal to tracker.report, per channel and in total', async () => {
    const url = await open();
    await runTraffic(tracker);
    await page.goto(url);
    const { from, to } = await loaded();
    const rows = await tracker.report({ from, to });
    expect(rows.map((r) => r.channel).sort()).toEqual(['slack', 'telegram', 'web', 'whatsapp']);
    for (const row of rows) expect(await rowFigures(row.channel)).toEqual(expectedRow(row));

    // Hand-checked against the traffic script, so a wrong report cannot pass unnoticed either.
    const web = rows.find((r) => r.channel === 'web')!;
    expect([web.sessions, web.endedTotal, web.ended.closed, web.ended.handoff, web.active]).toEqual([
      4, 3, 2, 1, 1,
    ]);
    const telegram = rows.find((r) => r.channel === 'telegram')!;
    expect([telegram.surveys.sent, telegram.surveys.answered, telegram.surveys.meanScore]).toEqual([
      3, 2, 60,
    ]);

    const sum = (pick: (r: ReportRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
    expect(await figure('#tile-sessions')).toBe(sum((r) => r.sessions));
    expect(await figure('#tile-ended')).toBe(sum((r) => r.endedTotal));
    expect(await figure('#tile-interactions')).toBe(sum((r) => r.interactions));
    expect(await figure('#tile-active')).toBe(sum((r) => r.active));
    expect(await figure('#tile-handoffRate')).toBe(sum((r) => r.ended.handoff) / sum((r) => r.endedTotal));
    expect(await figure('#tile-surveyResponseRate')).toBe(
      sum((r) => r.surveys.answered) / sum((r) => r.surveys.sent),
    );
    expect(await page.locator('#tile-active').textContent()).toBe(String(sum((r) => r.active)));
    // Only telegram has survey scores: its mean is the one shown.
    expect(await figure('#tile-meanScore')).toBe(60);
    // Every chart drew (uPlot canvases), none says it is empty.
    for (const id of ['sessions', 'ends', 'duration', 'interactions', 'rates']) {
      await page.locator(`#chart-${id} canvas`).waitFor();
    }
    await page.screenshot({ path: new URL('dashboard.png', DOCS).pathname, fullPage: true });
  });

  it('filters by channel, changes the range and refreshes by itself', async () => {
    const url = await open(1);
    await runTraffic(tracker);
    await page.goto(url);
    await loaded();
    await page.locator('#channel').selectOption('telegram');
    await expect.poll(() => page.locator('#channels tbody tr').count()).toBe(1);
    const { from, to } = await loaded();
    const [telegram] = await tracker.report({ from, to, channels: ['telegram'] });
    expect(await rowFigures('telegram')).toEqual(expectedRow(telegram!));
    expect(await figure('#tile-sessions')).toBe(telegram!.sessions);

    await page.locator('#channel').selectOption('');
    await page.locator('#range').selectOption('3600000');
    await eventually(async () => {
      const range = await loaded();
      expect(range.from).toBe(lastHourFrom(range.to));
    });

    // A custom range from the two datetime-local inputs (the browser's local time).
    await page.locator('#from').fill('2026-11-01T00:00');
    await page.locator('#to').fill('2026-11-02T12:00');
    await page.getByRole('button', { name: 'Show' }).click();
    const expected = await page.evaluate(
      `[new Date('2026-11-01T00:00').getTime(), new Date('2026-11-02T12:00').getTime()]`,
    );
    await eventually(async () => {
      const range = await loaded();
      expect([range.from, range.to]).toEqual(expected);
    });
    expect(await page.locator('#range').inputValue()).toBe('custom');
    expect(await figure('#tile-sessions')).toBe(0); // nothing happened that day
    expect(await page.locator('#status').textContent()).not.toContain('counted by the hour');

    // A range that does not begin on the hour says which hours it counted.
    await page.locator('#from').fill('2026-11-01T00:30');
    await page.getByRole('button', { name: 'Show' }).click();
    await eventually(async () => {
      const range = await loaded();
      expect(range.from).toBe(await page.evaluate(`new Date('2026-11-01T00:30').getTime()`));
      // The first whole UTC hour after 00:30 local time, in the page's own locale and zone.
      const first = await page.evaluate(
        `new Date(Math.ceil(new Date('2026-11-01T00:30').getTime() / 3600000) * 3600000).toLocaleString()`,
      );
      expect(await page.locator('#status').textContent()).toContain(`(counted by the hour: ${first} – `);
    });
    await page.locator('#range').selectOption('3600000');
    await eventually(async () => {
      const range = await loaded();
      expect(range.from).toBe(lastHourFrom(range.to));
      expect(await figure('#tile-sessions')).toBe(11); // 4 web, 3 telegram, 2 whatsapp, 2 slack
    });

    // New traffic shows up without a reload: the page refreshes every second.
    await runTraffic(tracker, 1);
    await eventually(async () => expect(await figure('#tile-sessions')).toBe(22));
  });

  it('shows in "last hour" what was counted in the previous clock hour, a minute after it ended', async () => {
    // The ledger counts per hour; a range takes the hours that start in it. Counted now, read
    // at the next hour's first minute: "last hour" taken literally (from now − 1 h) would start
    // after the hour that holds the traffic and show nothing. The page's clock is set forward in
    // a Chromium of its own, as Playwright's clock belongs to a whole browser context.
    const url = await open();
    await runTraffic(tracker);
    const nextHourAndAMinute = (Math.floor(Date.now() / HOUR_MS) + 1) * HOUR_MS + 60_000;
    const own = await launchChromium();
    try {
      page = await own.context.newPage();
      await page.clock.setFixedTime(nextHourAndAMinute);
      await page.setExtraHTTPHeaders({ authorization: BASIC });
      await page.goto(url);
      await page.locator('#range').selectOption('3600000');
      await eventually(async () => {
        const range = await loaded();
        expect([range.from, range.to]).toEqual([nextHourAndAMinute - 60_000 - HOUR_MS, nextHourAndAMinute]);
        expect(await figure('#tile-sessions')).toBe(11);
      });
    } finally {
      await page.close();
      await own.close();
    }
  });

  it('gets 401 in the browser without the token or with a wrong one', async () => {
    const url = await open();
    // Headless Chromium cannot show the Basic prompt and fails the navigation
    // (ERR_INVALID_AUTH_CREDENTIALS); the response it got is the server's 401.
    const statusOf = async () => {
      const [response] = await Promise.all([page.waitForResponse(url), page.goto(url).catch(() => null)]);
      return [response.status(), await response.headerValue('www-authenticate')];
    };
    await page.setExtraHTTPHeaders({});
    expect(await statusOf()).toEqual([401, 'Basic realm="botsession dashboard", charset="UTF-8"']);
    await page.setExtraHTTPHeaders({
      authorization: `Basic ${Buffer.from('ops:not-the-token').toString('base64')}`,
    });
    expect((await statusOf())[0]).toBe(401);
    await page.setExtraHTTPHeaders({ authorization: BASIC });
    expect((await statusOf())[0]).toBe(200);
    await loaded();
  });
});
