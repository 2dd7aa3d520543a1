import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConversationRef } from '@botsession/core';
import {
  endInterrupted,
  sendJson,
  toNodeHandler,
  trackOrUndefined,
  trackReplyOrUndefined,
  unlessStoreDown,
  WebhookHttpError,
} from '@botsession/webhook';
import { readJsonObject } from './body.js';
import type { NextFunction, ResolvedOptions, WebChannelHandler, WebMessageContext } from './options.js';
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
  /** The session of the last message of this exchange. */
  sessionId: string | null;
  message: StampedMessage & { isNew: boolean };
  replies: StampedMessage[];
}

type Route = (req: IncomingMessage, res: ServerResponse, next: NextFunction | undefined) => Promise<void>;

/** Routes the widget script and the three API calls; everything else goes to `next` (or 404). */
export function createHandler(options: ResolvedOptions): WebChannelHandler {
  const tokens = conversationTokens(options.secret);
  const { tracker, basePath } = options;
  widgetAsset(); // fail at construction, not at the first visitor, if the widget was not built

  const refOf = (conversationId: string, req: IncomingMessage): ConversationRef => {
    const userId = options.userIdOf?.(req);
    return userId === undefined
      ? { channel: WEB_CHANNEL, conversationId }
      : { channel: WEB_CHANNEL, conversationId, userId };
  };

  const conversationOf = (body: Record<string, unknown>): string => {
    if (body.token === undefined) throw new WebhookHttpError(400, 'token is required');
    const conversationId = tokens.verify(body.token);
    // Forged, tampered or signed with another secret: the client may not name a conversation.
    if (conversationId === undefined)
      throw new WebhookHttpError(403, 'token is not a conversation token of this server');
    return conversationId;
  };

  const open: Route = async (req, res) => {
    const body = await readJsonObject(req, options.maxBodyBytes);
    if (body.token !== undefined) {
      const conversationId = conversationOf(body);
      const session = await unlessStoreDown(() => tracker.get(refOf(conversationId, req)), logUnexpected);
      sendJson(res, 200, {
        token: body.token,
        conversationId,
        sessionId: session?.id ?? null,
        resumed: true,
      });
      return;
    }
    const issued = tokens.issue();
    sendJson(res, 200, { ...issued, sessionId: null, resumed: false });
  };

  const message: Route = async (req, res, next) => {
    const body = await readJsonObject(req, options.maxBodyBytes);
    const conversationId = conversationOf(body);
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
    const ref = refOf(conversationId, req);
    // A store outage must not stop the chat: the message goes on unstamped.
    const stamp = await trackOrUndefined(tracker, ref, 'inbound', logUnexpected);
    const stamped: StampedMessage[] = [];
    let last = stamp;
    const send = async (reply: string) => {
      if (typeof reply !== 'string') throw new TypeError(`a reply must be a string, got ${typeof reply}`);
      if (reply === '') return;
      // A reply to the exchange's session: once the handler ended it (a handoff), core counts
      // nothing and opens nothing, and the reply keeps the ended session's id.
      last = (await trackReplyOrUndefined(tracker, ref, last?.sessionId, logUnexpected)) ?? last;
      stamped.push({ text: reply, sessionId: last?.sessionId ?? null });
    };
    const ctx: WebMessageContext = { ref, botSession: stamp, conversationId, req, send };
    try {
      for (const reply of repliesOf(await options.onMessage(text, ctx))) await send(reply);
    } catch (error) {
      // The bot's pipeline failed: the policy decides whether that ends the session.
      await endInterrupted(tracker, ref, logUnexpected);
      if (next !== undefined) return next(error);
      sendJson(res, 500, { error: 'the bot failed to answer' });
      return;
    }
    const answer: MessageResponse = {
      conversationId,
      sessionId: last?.sessionId ?? null,
      message: { text, sessionId: stamp?.sessionId ?? null, isNew: stamp?.isNew ?? false },
      replies: stamped,
    };
    sendJson(res, 200, answer);
  };

  const close: Route = async (req, res) => {
    const body = await readJsonObject(req, options.maxBodyBytes);
    const conversationId = conversationOf(body);
    let ended: Awaited<ReturnType<typeof tracker.end>>;
    try {
      ended = await tracker.end(refOf(conversationId, req), 'closed');
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

  const widget: Route = async (req, res) => {
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

  return (req, res, next) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const found = path.startsWith(`${basePath}/`) ? routes[path.slice(basePath.length)] : undefined;
    if (found === undefined) {
      if (next !== undefined) return next();
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, 404, { error: `no such route: ${path}` });
      return;
    }
    // Answers are per conversation, never to be cached (the widget script sets its own policy).
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Access-Control-Allow-Origin', options.allowOrigin);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', found.method);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.writeHead(204).end();
      return;
    }
    const allowed = found.method === 'GET' ? ['GET', 'HEAD'] : [found.method];
    if (!allowed.includes(req.method ?? '')) {
      res.setHeader('Allow', allowed.join(', '));
      sendJson(res, 405, { error: `${path} accepts ${allowed.join(', ')}, got ${req.method}` });
      return;
    }
    // Refusals get their status; other failures go to Express's `next`, else a bare 500.
    toNodeHandler(async (request, response) => {
      try {
        await found.route(request, response, next);
      } catch (error) {
        // Do not keep reading an oversized body on this connection.
        if (error instanceof WebhookHttpError && error.status === 413)
          response.setHeader('Connection', 'close');
        throw error;
      }
    })(req, res, next);
  };
}

/** A tracker call that failed for another reason than a store outage (a closed tracker): logged. */
function logUnexpected(error: unknown): void {
  console.error('[botsession/web] a tracker call failed:', error);
}

function repliesOf(reply: unknown): string[] {
  if (reply === undefined || reply === null) return [];
  if (typeof reply === 'string') return [reply];
  if (Array.isArray(reply) && reply.every((item) => typeof item === 'string')) return reply;
  throw new TypeError(`onMessage must return a string, an array of strings or nothing, got ${typeof reply}`);
}
