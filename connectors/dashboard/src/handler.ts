import type { IncomingMessage, ServerResponse } from 'node:http';
import { type NodeHandler, requestTargetOf, sendJson, sendText, toNodeHandler } from '@botsession/webhook';
import { type DashboardData, reportData } from './api.js';
import { type Asset, assets } from './assets.js';
import type { ResolvedOptions } from './options.js';
import { pageHtml } from './page-html.js';

// Scripts and styles from this origin only: the page has no inline script or style, and uPlot
// styles through the CSSOM, which style-src does not restrict.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Routes the page, its assets and `api/report`, behind the auth check; the rest goes to `next` (or 404). */
export function createHandler(options: ResolvedOptions): NodeHandler {
  const files = assets(); // fail at construction if the page script was not built
  const html = pageHtml(options.title, options.refreshSeconds);
  const { basePath } = options;

  const serve = toNodeHandler(async (req: IncomingMessage, res: ServerResponse) => {
    const url = urlOf(req.url)!; // checked by the router below
    const path = url.pathname.slice(basePath.length);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!(await options.authorize(req))) {
      if (options.challenge !== undefined) res.setHeader('WWW-Authenticate', options.challenge);
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, 401, { error: 'the dashboard needs authorization' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: `the dashboard accepts GET and HEAD, got ${req.method}` });
      return;
    }
    if (path === '/') {
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('Cache-Control', 'no-store');
      if (req.method === 'HEAD') {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(html),
        });
        res.end();
      } else sendText(res, 200, html, 'text/html; charset=utf-8');
      return;
    }
    if (path === '/api/report') {
      res.setHeader('Cache-Control', 'no-store');
      let data: DashboardData;
      try {
        data = await reportData(url, options);
      } catch (error) {
        // An outage is the store's, not a bug of ours: the page says so and tries again later.
        if ((error as Error)?.name !== 'StoreUnavailableError') throw error;
        sendJson(res, 503, { error: 'the session store is unavailable' });
        return;
      }
      sendJson(res, 200, data);
      return;
    }
    sendAsset(req, res, files.get(path.slice(1))!);
  });

  return async (req, res, next) => {
    const url = urlOf(req.url);
    if (url === undefined) {
      // A crafted request line (no path, bad encoding): answered, never thrown.
      sendJson(res, 400, { error: 'the request target is not a path' });
      return;
    }
    const path = url.pathname;
    if (basePath !== '' && path === basePath) {
      // The page's links are relative: /dashboard must become /dashboard/ to resolve them.
      res.writeHead(308, { Location: `${basePath}/${url.search}` }).end();
      return;
    }
    // Mounted with app.use('/dashboard', page), express strips the prefix: /dashboard arrives as /.
    const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
    if (basePath === '' && path === '/' && original !== undefined) {
      const originalPath = urlOf(original)?.pathname ?? path;
      if (!originalPath.endsWith('/')) {
        res.writeHead(308, { Location: `${originalPath}/${url.search}` }).end();
        return;
      }
    }
    const inside = path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : undefined;
    const known =
      inside === '/' || inside === '/api/report' || (inside !== undefined && files.has(inside.slice(1)));
    if (!known) {
      if (next !== undefined) return next();
      sendJson(res, 404, { error: `no such route: ${path}` });
      return;
    }
    serve(req, res, next);
  };
}

/** The request target as a URL, or undefined when it is none (parsing never throws here). */
function urlOf(target: string | undefined): URL | undefined {
  const parts = requestTargetOf({ url: target });
  if (parts === undefined) return undefined;
  try {
    return new URL(`http://localhost${parts.pathname}${parts.query === '' ? '' : `?${parts.query}`}`);
  } catch {
    return undefined;
  }
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  res.setHeader('Content-Type', asset.contentType);
  // Private: the assets sit behind the dashboard's auth.
  res.setHeader('Cache-Control', 'private, max-age=300');
  res.setHeader('ETag', asset.etag);
  res.setHeader('Vary', 'Accept-Encoding, Authorization');
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304).end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const body = gzip ? asset.gzipped : asset.body;
  res.setHeader('Content-Length', body.length);
  res.writeHead(200).end(req.method === 'HEAD' ? undefined : body);
}
