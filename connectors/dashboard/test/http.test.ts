/**
 * The dashboard handler over real HTTP: never open by default (ConfigError), 401 for bad or
 * missing credentials, plain node:http and express mounts, api/report checks, the page weight.
 */
import { ConfigError, createSessionTracker, type SessionTracker } from '@botsession/core';
import { type DashboardData, dashboard } from '@botsession/dashboard';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { runTraffic } from './traffic.js';

const TOKEN = 'dashboard-token-0123456789';
let tracker: SessionTracker;

afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('dashboard()', () => {
  it('is never open by default: construction without auth, token or public: true throws ConfigError', () => {
    tracker = createSessionTracker();
    expect(() => dashboard({ tracker })).toThrow(ConfigError);
    expect(() => dashboard({ tracker })).toThrow(/needs one of auth .*, token .* or public: true/);
    expect(() => dashboard({ tracker, public: false as never })).toThrow(/public must be true or left out/);
    expect(() => dashboard({ tracker, token: 'short' })).toThrow(
      /token must be a string of at least 16 characters, got 5/,
    );
    expect(() => dashboard({ tracker, token: TOKEN, public: true })).toThrow(
      /one of auth, token or public, got token and public/,
    );
    expect(() => dashboard({ tracker, public: true, basePath: 'dash' })).toThrow(/basePath must be/);
    expect(() => dashboard({ tracker: {} as never, public: true })).toThrow(/tracker must be/);
    expect(() => dashboard({ tracker, public: true, titel: 'x' } as never)).toThrow(
      /titel is not a dashboard option/,
    );
  });

  it('answers 401 without credentials or with a wrong token, and serves with Bearer or Basic', async () => {
    tracker = createSessionTracker();
    const { url } = await listenLocal(dashboard({ tracker, token: TOKEN }));
    const none = await fetch(`${url}/`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="botsession dashboard"/);
    expect((await fetch(`${url}/`, { headers: bearer(`${TOKEN}x`) })).status).toBe(401);
    expect((await fetch(`${url}/uPlot.min.js`, { headers: basic('ops', 'wrong-password-123') })).status).toBe(
      401,
    );
    expect((await fetch(`${url}/api/report?from=0&to=1`, { headers: bearer('nope') })).status).toBe(401);
    expect((await fetch(`${url}/`, { headers: bearer(TOKEN) })).status).toBe(200);
    const page = await fetch(`${url}/`, { headers: basic('anyone', TOKEN) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="uPlot.min.js" defer></script>');
  });

  it('asks an auth function, with the request', async () => {
    tracker = createSessionTracker();
    const { url } = await listenLocal(
      dashboard({ tracker, auth: async (req) => req.headers.cookie === 'role=admin' }),
    );
    const refused = await fetch(`${url}/`, { headers: { cookie: 'role=guest' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBeNull(); // no Basic prompt: the app has its own login
    expect((await fetch(`${url}/`, { headers: { cookie: 'role=admin' } })).status).toBe(200);
  });

  it('serves api/report straight from tracker.report, and refuses bad queries with 400 naming the parameter', async () => {
    tracker = createSessionTracker();
    await runTraffic(tracker);
    const { url } = await listenLocal(dashboard({ tracker, public: true }));
    const from = Date.now() - 3_600_000;
    const to = Date.now() + 1;
    const answer = await fetch(`${url}/api/report?from=${from}&to=${to}&tz=Europe/Madrid`);
    expect(answer.status).toBe(200);
    const data = (await answer.json()) as DashboardData;
    expect(data).toMatchObject({ from, to, step: 'hour', timeZone: 'Europe/Madrid' });
    expect(data.totals).toEqual(
      JSON.parse(JSON.stringify(await tracker.report({ from, to, timeZone: 'Europe/Madrid' }))),
    );
    expect(data.series).toEqual(
      JSON.parse(
        JSON.stringify(
          await tracker.report({ from, to, by: ['channel', 'hour'], timeZone: 'Europe/Madrid' }),
        ),
      ),
    );
    const bad = async (query: string) => {
      const response = await fetch(`${url}/api/report?${query}`);
      return [response.status, ((await response.json()) as { error: string }).error];
    };
    expect(await bad('to=5')).toEqual([400, 'from must be epoch milliseconds, got null']);
    expect(await bad('from=10&to=5')).toEqual([400, 'from must be before to, got from=10 to=5']);
    expect(await bad('from=0&to=5&tz=Mars/Olympus')).toEqual([
      400,
      'tz must be an IANA time zone, got "Mars/Olympus"',
    ]);
    expect(await bad('from=0&to=5&step=week')).toEqual([400, 'step must be hour or day, got "week"']);
    expect(await bad(`from=0&to=${500 * 86_400_000}`)).toEqual([400, 'the range must be at most 400 days']);
  });

  it('answers 503 when the store is down, and the page itself still loads', async () => {
    tracker = createSessionTracker({ backend: unavailableBackend() });
    tracker.on('error', () => {});
    const { url } = await listenLocal(dashboard({ tracker, public: true }));
    const answer = await fetch(`${url}/api/report?from=0&to=5`);
    expect([answer.status, await answer.json()]).toEqual([
      503,
      { error: 'the session store is unavailable' },
    ]);
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it('mounts in express under a path: /dashboard → /dashboard/, other paths go to next()', async () => {
    tracker = createSessionTracker();
    const app = express();
    app.use('/dashboard', dashboard({ tracker, public: true }));
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const { url } = await listenLocal(app);
    const bare = await fetch(`${url}/dashboard`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/dashboard/']);
    expect((await fetch(`${url}/dashboard/`)).status).toBe(200);
    expect((await fetch(`${url}/dashboard/uPlot.min.css`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect(await (await fetch(`${url}/health`)).text()).toBe('ok');
    expect((await fetch(`${url}/dashboard/nope`)).status).toBe(404);
  });

  it('weighs under 40 KB gzipped, page and assets, with no request leaving the origin', async () => {
    tracker = createSessionTracker();
    const { url } = await listenLocal(dashboard({ tracker, public: true }));
    const html = await (await fetch(`${url}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1]!)
      .filter((a) => !a.startsWith('data:'));
    expect(assets.sort()).toEqual(['dashboard.css', 'dashboard.js', 'uPlot.min.css', 'uPlot.min.js']);
    let gzipped = Buffer.byteLength(html); // the page itself is small; counted unzipped
    let plain = gzipped;
    for (const asset of assets) {
      const response = await fetch(`${url}/${asset}`, { headers: { 'accept-encoding': 'gzip' } });
      // fetch decodes gzip; the length header is the bytes on the wire.
      expect(response.headers.get('content-encoding')).toBe('gzip');
      gzipped += Number(response.headers.get('content-length'));
      plain += (await response.arrayBuffer()).byteLength;
    }
    console.log(`page weight: ${plain} bytes, ${gzipped} bytes over the wire (gzip)`);
    expect(gzipped).toBeLessThan(40_000);
  });
});
