/**
 * `npm start -- --serve`: the quickstart serves the dashboard on 127.0.0.1 from the start, keeps
 * running with live traffic after its story, and on Ctrl-C ends what is live and exits 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DashboardData } from '@botsession/dashboard';
import { expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

it('serves the dashboard with live traffic until SIGINT, then ends every session once and exits 0', async () => {
  const child = spawn(process.execPath, [main, '--serve'], { env: { ...process.env, PORT: '0' } });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    let url = '';
    await eventually(() => {
      url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1]!;
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>botsession quickstart</title>');

    const sessions = async () => {
      const to = Date.now() + 3_600_000;
      const answer = await fetch(`${url}api/report?from=${to - 7_200_000}&to=${to}`);
      const data = (await answer.json()) as DashboardData;
      return data.totals.reduce((n, row) => n + row.sessions, 0);
    };
    // The story opens 7 sessions; live traffic keeps adding after it.
    await eventually(async () => expect(await sessions()).toBeGreaterThan(7), 25_000);
    expect(stdout).toContain('live traffic:');
    const seen = await sessions();
    await eventually(async () => expect(await sessions()).toBeGreaterThan(seen), 15_000);
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  const started = stdout.match(/▶ S\d+ started/g) ?? [];
  const ended = stdout.match(/■ S\d+ ended/g) ?? [];
  expect(ended).toHaveLength(started.length);
  expect(stdout).toContain('Every session ended exactly once. Done.');
}, 60_000);
