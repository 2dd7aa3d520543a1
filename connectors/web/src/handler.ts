import type { IncomingMessage } from 'node:http';
import type { ConversationRef } from '@botsession/core';
import {
  applyCors,
  clientMessageIdOf,
  type Exchange,
  endInterrupted,
  httpLayer,
  newSessionAdmission,
  replyDeliveryId,
  requestTargetOf,
  sendJson,
  tooManySessions,
  trackReplyOrUndefined,
  trackTelling,
  unlessStoreDownOrReport,
  WebhookHttpError,
} from '@botsession/webhook';
import { readJsonObject } from './body.js';
import type { ResolvedOptions, WebChannelHandler, WebErrorContext, WebMessageContext } from './options.js';
import { conversationTokens } from './token.js';
import { widgetAsset } from './widget-asset.js';

export const WEB_CHANNEL = 'web';

/** One message of the chat with the session it was stamped with (null: the store was down). */
export interface StampedMessage {
  text: string;
  sessionId: string | null;
}

/** The JSON answer of `POST message`. */
export interface MessageResponse {
  conversationId: string;
  /** A renewed token for this conversation, when the one sent is half-way to expiry or was signed by a previous secret. */
  token?: string;
  /** The session of the last message of this exchange. */
  sessionId: string | null;
  /** `redelivered`: the widget sent this message before (a retry): it was counted once, then. */
  message: StampedMessage & { isNew: boolean; redelivered: boolean };
  replies: StampedMessage[];
}

type Exchanged = Exchange<WebErrorContext>;
type Route = (exchange: Exchanged) => Promise<void>;

/** Routes the widget script and the three API calls; everything else goes to `next` (or 404). */
export function createHandler(options: ResolvedOptions): WebChannelHandler {
  const tokens = conversationTokens({
    secret: options.secret,
    previousSecrets: options.previousSecrets,
    lifetimeMs: options.tokenLifetimeMs,
  });
  const { tracker, basePath } = options;
  const admit = newSessionAdmission(options.newSessionLimit);
  const http = httpLayer<WebErrorContext>({
    connector: '@botsession/web',
    internalErrorMessage: 'the bot failed to answer',
    ...options,
  });
  widgetAsset(); // fail at construction, not at the first visitor, if the widget was not built

  const refOf = (conversationId: string, req: IncomingMessage): ConversationRef => {
    const userId = options.userIdOf?.(req);
    return userId === undefined
      ? { channel: WEB_CHANNEL, conversationId }
      : { channel: WEB_CHANNEL, conversationId, userId };
  };

  const conversationOf = (
    exchange: Exchanged,
    body: Record<string, unknown>,
  ): { conversationId: string; renewed?: string } => {
    if (body.token === undefined) throw new WebhookHttpError(400, 'token is required');
    const verified = tokens.verify(body.token);
    // Forged, tampered, expired or signed with an unknown secret: the client may not name a
    // conversation. The widget answers a 403 by opening a new conversation.
    if (!verified.ok) {
      throw new WebhookHttpError(
        403,
        verified.reason === 'expired'
          ? 'token has expired; open a new conversation'
          : 'token is not a conversation token of this server',
      );
    }
    exchange.context.conversationId = verified.conversationId;
    return verified;
  };

  const open: Route = async (exchange) => {
    const { req, res } = exchange;
    const body = await readJsonObject(exchange);
    if (body.token !== undefined) {
      const { conversationId, renewed } = conversationOf(exchange, body);
      const session = await unlessStoreDownOrReport(
        () => tracker.get(refOf(conversationId, req)),
        (error) => exchange.fail(error),
      );
      sendJson(res, 200, {
        token: renewed ?? body.token,
        conversationId,
        sessionId: session?.id ?? null,
        resumed: true,
      });
      return;
    }
    const issued = tokens.issue();
    sendJson(res, 200, { ...issued, sessionId: null, resumed: false });
  };

  const message: Route = async (exchange) => {
    const { req, res } = exchange;
    const body = await readJsonObject(exchange);
    const { conversationId, renewed } = conversationOf(exchange, body);
    const text = body.text;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new WebhookHttpError(400, `text must be a non-empty string, got ${JSON.stringify(text)}`);
    }
    if (text.length > options.maxTextLength) {
      throw new WebhookHttpError(
        400,
        `text must be at most ${options.maxTextLength} characters, got ${text.length}`,
      );
    }
    // The widget's own id for this message, the same on every retry: a retry counts once.
    const deliveryId = clientMessageIdOf(body.messageId, 'messageId');
    const ref = refOf(conversationId, req);
    exchange.context.ref = ref;
    const report = (error: unknown) => exchange.fail(error);
    // Over the client's new-session limit, the message still counts in its active session.
    const admission = admit(req);
    // A store outage must not stop the chat: the message goes on unstamped.
    const { stamp, storeDown } = await trackTelling(
      tracker,
      ref,
      deliveryId === undefined
        ? { direction: 'inbound', startsSession: admission.startsSession }
        : { direction: 'inbound', startsSession: admission.startsSession, deliveryId },
      report,
    );
    admission.settle(stamp?.isNew === true);
    if (!admission.startsSession && stamp === undefined && !storeDown) throw tooManySessions(admission);
    const stamped: StampedMessage[] = [];
    let last = stamp;
    const send = async (reply: string) => {
      if (typeof reply !== 'string') throw new TypeError(`a reply must be a string, got ${typeof reply}`);
      if (reply === '') return;
      // A reply to the exchange's session: once the handler ended it (a handoff), core counts
      // nothing and opens nothing, and the reply keeps the ended session's id. On a retried
      // message the handler runs again; its replies carry ids derived from the message's, so
      // they count once too.
      const replyId = replyDeliveryId(deliveryId, stamped.length + 1);
      last = (await trackReplyOrUndefined(tracker, ref, last?.sessionId, report, replyId)) ?? last;
      stamped.push({ text: reply, sessionId: last?.sessionId ?? null });
    };
    const ctx: WebMessageContext = { ref, botSession: stamp, conversationId, req, send };
    try {
      for (const reply of repliesOf(await options.onMessage(text, ctx))) await send(reply);
    } catch (error) {
      // The bot's pipeline failed: the policy decides whether that ends the session. The error
      // goes to onError (500 `the bot failed to answer`), else Express's next, else the log.
      await endInterrupted(tracker, ref, report, deliveryId);
      throw error;
    }
    const answer: MessageResponse = {
      conversationId,
      ...(renewed === undefined ? {} : { token: renewed }),
      sessionId: last?.sessionId ?? null,
      message: {
        text,
        sessionId: stamp?.sessionId ?? null,
        isNew: stamp?.isNew ?? false,
        redelivered: stamp?.redelivered ?? false,
      },
      replies: stamped,
    };
    sendJson(res, 200, answer);
  };

  const close: Route = async (exchange) => {
    const { req, res } = exchange;
    const body = await readJsonObject(exchange);
    const { conversationId } = conversationOf(exchange, body);
    // A close sent twice (fetch, then the beacon fallback) ends one session, not the next one too.
    const deliveryId = clientMessageIdOf(body.messageId, 'messageId');
    let ended: Awaited<ReturnType<typeof tracker.end>>;
    try {
      ended = await tracker.end(
        refOf(conversationId, req),
        'closed',
        deliveryId === undefined ? undefined : { deliveryId },
      );
    } catch {
      // The tracker already emitted 'error'; the widget forgets the conversation either way.
      sendJson(res, 503, { error: 'the session store is unavailable' });
      return;
    }
    sendJson(res, 200, {
      conversationId,
      sessionId: ended?.id ?? null,
      ended: ended?.status === 'ended',
    });
  };

  const widget: Route = async ({ req, res }) => {
    const asset = widgetAsset();
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('ETag', asset.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304).end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.writeHead(200).end(req.method === 'HEAD' ? undefined : gzip ? asset.gzipped : asset.body);
  };

  const routes: Record<string, { method: string; route: Route }> = {
    '/widget.js': { method: 'GET', route: widget },
    '/open': { method: 'POST', route: open },
    '/message': { method: 'POST', route: message },
    '/close': { method: 'POST', route: close },
  };

  return http.handler(async (exchange) => {
    const { req, res, next } = exchange;
    const target = requestTargetOf(req);
    const path = target?.pathname;
    const key = path?.startsWith(`${basePath}/`) ? path.slice(basePath.length) : undefined;
    const found = key !== undefined && Object.hasOwn(routes, key) ? routes[key] : undefined;
    if (found === undefined) {
      if (next !== undefined) return next();
      res.setHeader('Cache-Control', 'no-store');
      if (target === undefined) throw new WebhookHttpError(400, 'the request target has no path');
      throw new WebhookHttpError(404, `no such route: ${target.pathname.slice(0, 200)}`);
    }
    // Answers are per conversation, never to be cached (the widget script sets its own policy).
    res.setHeader('Cache-Control', 'no-store');
    // The widget script may be loaded by any page; the API only by this origin and the allowed ones.
    if (found.route !== widget) applyCors(req, res, options.allowedOrigins);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', found.method);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.writeHead(204).end();
      return;
    }
    const allowed = found.method === 'GET' ? ['GET', 'HEAD'] : [found.method];
    if (!allowed.includes(req.method ?? '')) {
      throw new WebhookHttpError(405, `${path} accepts ${allowed.join(', ')}, got ${req.method}`, {
        Allow: allowed.join(', '),
      });
    }
    await found.route(exchange);
  });
}

function repliesOf(reply: unknown): string[] {
  if (reply === undefined || reply === null) return [];
  if (typeof reply === 'string') return [reply];
  if (Array.isArray(reply) && reply.every((item) => typeof item === 'string')) return reply;
  throw new TypeError(`onMessage must return a string, an array of strings or nothing, got ${typeof reply}`);
}
