import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionStamp } from '@botsession/core';
import {
  endInterrupted,
  readRawBody,
  sendError,
  sendJson,
  unlessStoreDown,
  WebhookHttpError,
} from '@botsession/webhook';
import { type HelpSource, refOf } from './map.js';
import { type HelpCenterOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { BadRequestError, type HelpBatch, parseBatch } from './protocol.js';
import { trackerScript } from './script.js';

/** A Node request handler; works as a Connect/Express middleware too (`next` gets what it does not serve). */
export type HelpCenterHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

/** What the events endpoint answers (200; `held` comes with 202). */
export interface HelpAnswer {
  /** The session the events were counted in; null when the session store is down. */
  sessionId?: string | null;
  isNew?: boolean;
  interactions?: number;
  /** When inactivity ends the session, by the server's clock (`now`). */
  expiresAt?: number;
  now?: number;
  /** Searches only, and no session active in the tab: nothing counted, the page keeps them. */
  held?: true;
}

// The beacon API sends text/plain; fetch sends application/json. Either carries the same JSON.
const BODY_TYPES = new Set(['application/json', 'text/plain']);

/**
 * The server side of the help-center connector: serves the browser tracker script at
 * `${basePath}/tracker.js` and counts the page's events at `${basePath}/events` (channel `help`).
 *
 * @example
 * const tracker = createSessionTracker();
 * const help = helpCenter({ tracker });
 * createServer((req, res) => help(req, res, () => serveMyHelpCenter(req, res))).listen(8080);
 * // in every page: <script src="/botsession/tracker.js" defer></script>
 */
export function helpCenter(options: HelpCenterOptions): HelpCenterHandler {
  const resolved = resolveOptions(options);
  const scriptPath = `${resolved.basePath}/tracker.js`;
  const eventsPath = `${resolved.basePath}/events`;
  return async (req, res, next) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === scriptPath) await serveScript(req, res);
      else if (path === eventsPath) await receiveEvents(resolved, req, res);
      else if (next) next();
      else sendJson(noStore(res), 404, { error: `nothing at ${path}` });
    } catch (error) {
      // A refused request (method, content type, size) is answered here: not a failure to pass on.
      if (error instanceof WebhookHttpError) return sendError(noStore(res), error);
      // Express/Connect answer the error themselves through next; under plain node:http the
      // page gets a 500 and the promise rejects, as a throwing request listener would.
      if (next) return next(error);
      if (!res.headersSent) sendJson(noStore(res), 500, { error: 'internal error' });
      throw error;
    }
  };
}

async function serveScript(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    throw new WebhookHttpError(405, `${req.method} is not allowed here, use GET`);
  }
  const source = await trackerScript();
  res.writeHead(200, {
    'content-type': 'text/javascript; charset=utf-8',
    'content-length': Buffer.byteLength(source),
    'cache-control': 'public, max-age=300',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : source);
}

async function receiveEvents(
  options: ResolvedOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    throw new WebhookHttpError(405, `${req.method} is not allowed here, use POST`);
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!BODY_TYPES.has(mediaType)) {
    throw new WebhookHttpError(
      415,
      `content-type must be application/json or text/plain, got ${mediaType || 'none'}`,
    );
  }
  noStore(res);
  const raw = await readRawBody(req, options.maxBodyBytes);
  let batch: HelpBatch;
  try {
    batch = parseBatch(raw.toString('utf8'));
  } catch (error) {
    // 400 with the field, so the page's tracker (and its developer) sees what was wrong.
    if (error instanceof BadRequestError)
      return sendJson(res, 400, { error: error.message, field: error.field });
    throw error;
  }
  const source: HelpSource = { tabId: batch.tabId };
  const userId = options.userIdOf?.(req);
  if (userId !== undefined) source.userId = userId;
  const ref = refOf(source);
  // A search starts nothing: a batch of searches alone counts only inside the tab's active
  // session, which core decides atomically (startsSession: false) rather than a read here.
  const opensArticle = batch.events.some((event) => event.type === 'open');
  let stamp: SessionStamp | undefined;
  let isNew = false;
  for (const [index, event] of batch.events.entries()) {
    // A store that is down counts nothing but never stops the page: the answer carries no session.
    stamp = await unlessStoreDown(
      () => options.tracker.track(ref, { direction: 'inbound', startsSession: opensArticle }),
      logUnexpected,
    );
    if (stamp === undefined && !opensArticle && index === 0) {
      // No active session (or no store): the page keeps its searches for the next open.
      return sendJson(res, 202, { held: true } satisfies HelpAnswer);
    }
    if (stamp?.isNew) isNew = true;
    if (options.onEvent === undefined) continue;
    try {
      await options.onEvent(event, { source, stamp, req });
    } catch (error) {
      // The policy decides whether an interruption ends the session; the error still surfaces.
      await endInterrupted(options.tracker, ref, logUnexpected);
      throw error;
    }
  }
  const answer: HelpAnswer =
    stamp === undefined
      ? { sessionId: null }
      : {
          sessionId: stamp.sessionId,
          isNew,
          interactions: stamp.session.interactions,
          expiresAt: stamp.session.expiresAt,
          now: Date.now(),
        };
  sendJson(res, 200, answer);
}

/** A tracker call that failed for another reason than a store outage (a closed tracker): logged. */
function logUnexpected(error: unknown): void {
  console.error('[botsession/help] a tracker call failed:', error);
}

/** Answers about a tab's session are never cached (headers set here merge into sendJson's). */
function noStore(res: ServerResponse): ServerResponse {
  res.setHeader('cache-control', 'no-store');
  return res;
}
