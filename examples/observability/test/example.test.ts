/**
 * The observability example on a real Redis over real HTTP: chats through the web channel,
 * then /metrics (checked by promtool) and the dashboard's data show the same figures.
 */
import { spawn } from 'node:child_process';
import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import type { DashboardData } from '@botsession/dashboard';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { type RedisServer, startRedis } from '../../../test/support/redis-server.js';
import { createApp } from '../src/app.js';

const TOKEN = 'observability-token-123';
const SECRET = 'observability-secret-observability-secret';
let redis: RedisServer;
let tracker: SessionTracker;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});
afterAll(async () => {
  await redis?.destroy();
});

async function say(url: string, token: string | undefined, text: string) {
  if (token === undefined) {
    token = (
      (await (await fetch(`${url}/botsession/open`, { method: 'POST', body: '{}' })).json()) as {
        token: string;
      }
    ).token;
  }
  await fetch(`${url}/botsession/message`, { method: 'POST', body: JSON.stringify({ token, text }) });
  return token;
}

function promtool(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics']);
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

describe('observability example', () => {
  it('counts the chats in /metrics and on the dashboard, the same figures as tracker.report', async () => {
    tracker = createSessionTracker({ backend: redisBackend({ connection: redis.url, prefix: 'obs' }) });
    const { url } = await listenLocal(createApp({ tracker, chatSecret: SECRET, dashboardToken: TOKEN }));

    // A range taking the hour the traffic starts in, even when it runs across an hour's end.
    const from = Date.now() - 3_600_000;
    const first = await say(url, undefined, 'hello');
    await say(url, first, 'a human please'); // handoff
    const second = await say(url, undefined, 'hi');
    await say(url, second, 'bye'); // survey sent
    await say(url, second, 'rate 5'); // answered: score 100, ends the session
    await say(url, undefined, 'anyone?'); // stays active

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('botsession_sessions_started_total{channel="web"} 3');
    expect(metrics).toContain('botsession_sessions_ended_total{channel="web",reason="handoff"} 1');
    expect(metrics).toContain('botsession_sessions_ended_total{channel="web",reason="survey"} 1');
    expect(metrics).toContain('botsession_sessions_active{channel="web"} 1');
    expect(metrics).toContain('botsession_surveys_answered_total{channel="web"} 1');
    expect(await promtool(metrics)).toEqual({ code: 0, output: '' });

    expect((await fetch(`${url}/dashboard/`)).status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}` };
    expect((await fetch(`${url}/dashboard`, { headers: auth, redirect: 'manual' })).status).toBe(308);
    expect((await fetch(`${url}/dashboard/`, { headers: auth })).status).toBe(200);
    const to = Date.now() + 1;
    const answer = await fetch(`${url}/dashboard/api/report?from=${from}&to=${to}`, { headers: auth });
    const data = (await answer.json()) as DashboardData;
    const [web] = await tracker.report({ from, to });
    expect(data.totals).toEqual([JSON.parse(JSON.stringify(web))]);
    expect(web).toMatchObject({
      sessions: 3,
      endedTotal: 2,
      active: 1,
      surveys: { sent: 1, answered: 1, meanScore: 100 },
    });
  });
});
