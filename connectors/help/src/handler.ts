import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionStamp } from '@botsession/core';
import {
  type Admission,
  applyCors,
  type Exchange,
  endInterrupted,
  httpLayer,
  newSessionAdmission,
  requestTargetOf,
  sendJson,
  tooManySessions,
  trackTelling,
  WebhookHttpError,
} from '@botsession/webhook';
import { type HelpSource, refOf } from './map.js';
import {
  type HelpCenterOptions,
  type HelpErrorContext,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { BadRequestError, type HelpBatch, parseBatch } from './protocol.js';
import { trackerScript } from './script.js';

/**
 * A Node request handler; works as a Connect/Express middleware too (`next` gets what it does
 * not serve). Its promise always resolves, whatever `onEvent` does.
 */
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
const BODY_TYPES = ['application/json', 'text/plain'];

type Exchanged = Exchange<HelpErrorContext>;

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
  const admit = newSessionAdmission(resolved.newSessionLimit);
  const http = httpLayer<HelpErrorContext>({ connector: '@botsession/help', ...resolved });
  return http.handler(async (exchange) => {
    const { req, res, next } = exchange;
    const path = requestTargetOf(req)?.pathname;
    if (path === scriptPath) await serveScript(req, res);
    else if (path === eventsPath) await receiveEvents(resolved, exchange, admit(req));
    else if (next) next();
    else if (path === undefined) throw new WebhookHttpError(400, 'the request target has no path');
    else throw new WebhookHttpError(404, `nothing at ${path.slice(0, 200)}`);
  });
}

async function serveScript(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new WebhookHttpError(405, `${req.method} is not allowed here, use GET`, { allow: 'GET, HEAD' });
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
  exchange: Exchanged,
  admission: Admission,
): Promise<void> {
  const { req, res } = exchange;
  noStore(res);
  // Same origin by default: another site's page may not count sessions here (403).
  applyCors(req, res, options.allowedOrigins);
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'POST');
    res.setHeader('access-control-allow-headers', 'content-type');
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'POST') {
    throw new WebhookHttpError(405, `${req.method} is not allowed here, use POST`, { allow: 'POST' });
  }
  const raw = await exchange.readBody(BODY_TYPES);
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
  exchange.context.source = source;
  const ref = refOf(source);
  const report = (error: unknown) => exchange.fail(error);
  // A search starts nothing: a batch of searches alone counts only inside the tab's active
  // session, which core decides atomically (startsSession: false) rather than a read here.
  // Past the client's new-session limit, an open counts the same way.
  const opensArticle = batch.events.some((event) => event.type === 'open');
  const startsSession = opensArticle && admission.startsSession;
  let stamp: SessionStamp | undefined;
  let isNew = false;
  try {
    for (const [index, event] of batch.events.entries()) {
      // A store that is down counts nothing but never stops the page: the answer carries no session.
      // The page's own event id is the delivery id: an event it sends again counts once.
      const tracked = await trackTelling(
        options.tracker,
        ref,
        event.id === undefined
          ? { direction: 'inbound', startsSession }
          : { direction: 'inbound', startsSession, deliveryId: event.id },
        report,
      );
      stamp = tracked.stamp;
      if (stamp === undefined && index === 0 && !tracked.storeDown && opensArticle && !startsSession) {
        throw tooManySessions(admission);
      }
      if (stamp === undefined && !opensArticle && index === 0) {
        // No active session (or no store): the page keeps its searches for the next open.
        return sendJson(res, 202, { held: true } satisfies HelpAnswer);
      }
      if (stamp?.isNew) isNew = true;
      if (options.onEvent === undefined) continue;
      exchange.context.event = event;
      try {
        await options.onEvent(event, { source, stamp, req });
      } catch (error) {
        // The policy decides whether an interruption ends the session; the error goes to
        // onError (500), else Express's next, else the log.
        await endInterrupted(options.tracker, ref, report, event.id);
        throw error;
      }
    }
  } finally {
    admission.settle(isNew);
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

/** Answers about a tab's session are never cached (headers set here merge into sendJson's). */
function noStore(res: ServerResponse): ServerResponse {
  res.setHeader('cache-control', 'no-store');
  return res;
}
