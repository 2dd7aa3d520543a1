import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '@botsession/core';
import { WebhookHttpError } from './http-error.js';

/**
 * Checks the `allowedOrigins` option of web and help: origins (`https://shop.example`) allowed
 * to call the API from a page of theirs, beside the server's own. `*` is refused: the API
 * acts on the visitor's conversation, and any site could otherwise drive it.
 */
export function checkAllowedOrigins(field: string, value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set();
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    throw new ConfigError(
      field,
      `${field} must be an array of origins like https://shop.example, got ${typeof value}`,
    );
  }
  const origins = new Set<string>();
  for (const origin of list) {
    if (origin === '*') {
      throw new ConfigError(field, `${field} must list origins; '*' would let any site use the API`);
    }
    let normalized: string | undefined;
    try {
      const url = new URL(String(origin));
      if (
        (url.protocol === 'https:' || url.protocol === 'http:') &&
        url.origin === String(origin).replace(/\/$/, '')
      )
        normalized = url.origin;
    } catch {
      normalized = undefined;
    }
    if (normalized === undefined) {
      throw new ConfigError(
        field,
        `${field} entries must be origins like https://shop.example (scheme, host, port; no path), got ${JSON.stringify(origin)}`,
      );
    }
    origins.add(normalized);
  }
  return origins;
}

/**
 * Same-origin by default, an allow-list beside it. A browser sends `Origin` on every POST and
 * on cross-origin GETs; a request without one (curl, a server) is not a page of another site.
 * A request from another origin not on the list is refused (403) before anything happens:
 * a CORS header alone would only hide the answer, the "simple" request would still act.
 * An allowed cross-origin request gets `Access-Control-Allow-Origin` with its origin.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): void {
  const header = req.headers.origin;
  const origin = Array.isArray(header) ? header[0] : header;
  if (origin === undefined) return;
  if (allowed.has(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    return;
  }
  if (sameOrigin(origin, req)) return;
  throw new WebhookHttpError(
    403,
    `origin ${JSON.stringify(origin.slice(0, 100))} is not allowed (see allowedOrigins)`,
  );
}

/** The page's origin names this server's host (the scheme is not compared: TLS may end at a proxy). */
function sameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  if (typeof host !== 'string' || host === '') return false;
  try {
    return new URL(origin).host === host.split(',')[0]!.trim().toLowerCase();
  } catch {
    return false;
  }
}
