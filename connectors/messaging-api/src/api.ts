import type { IncomingMessage } from 'node:http';
import { type ConversationRef, type Session, StoreUnavailableError } from '@botsession/core';
import {
  type Exchange,
  endInterrupted,
  httpLayer,
  JSON_MEDIA_TYPES,
  type NodeHandler,
  parseJsonBody,
  requestTargetOf,
  sendJson,
  trackOrUndefined,
  trackReplyOrUndefined,
  unlessStoreDown,
  WebhookHttpError,
} from '@botsession/webhook';
import type { z } from 'zod';
import { authenticate } from './auth.js';
import { openApiDocument } from './openapi.js';
import { checkOptions, type MessagingApiErrorContext, type MessagingApiOptions } from './options.js';
import { normalizeReply } from './reply.js';
import { matchRoute, type OperationId } from './routes.js';
import { emptyRequest, endRequest, messageRequest, parseBody } from './schemas.js';

/** The channel id of this API (5 min of inactivity by default). */
export const MESSAGING_API_CHANNEL = 'messaging-api';

/** The conversation a path or message names, in channel `messaging-api`. */
export function refOf(message: { conversationId: string; userId?: string }): ConversationRef {
  return message.userId === undefined
    ? { channel: MESSAGING_API_CHANNEL, conversationId: message.conversationId }
    : { channel: MESSAGING_API_CHANNEL, conversationId: message.conversationId, userId: message.userId };
}

/**
 * A small JSON HTTP API that counts the messages of integrations without an SDK in sessions
 * (channel `messaging-api`), as a plain Node `(req, res)` handler that mounts in Express too.
 *
 * @example
 * const tracker = createSessionTracker();
 * const api = messagingApi({
 *   tracker,
 *   apiKeys: [process.env.BOTSESSION_API_KEY!],
 *   onMessage: async ({ text }, stamp) => `You said ${text}`,
 * });
 * http.createServer(api).listen(3000); // POST /v1/messages, GET /v1/openapi.json, …
 */
export function messagingApi(options: MessagingApiOptions): NodeHandler {
  const { tracker, apiKeys, onMessage, ...httpOptions } = checkOptions(options);
  const http = httpLayer<MessagingApiErrorContext>({
    connector: '@botsession/messaging-api',
    ...httpOptions,
  });
  const openApi = openApiDocument();

  async function readBody<T>(
    exchange: Exchange<MessagingApiErrorContext>,
    schema: z.ZodType<T>,
    emptyIsObject: boolean,
  ): Promise<T> {
    // A body must be JSON (415 otherwise); a bodiless POST (handoff, survey-*) needs no type.
    const raw = await exchange.readBody(JSON_MEDIA_TYPES, { allowMissingType: !hasBody(exchange.req) });
    // Bodiless POSTs (handoff, survey-*) are common from curl and webhooks: an empty body is `{}`.
    const value = raw.length === 0 && emptyIsObject ? {} : parseJsonBody(raw);
    return parseBody(schema, value);
  }

  async function postMessage(exchange: Exchange<MessagingApiErrorContext>): Promise<void> {
    const { res } = exchange;
    const message = await readBody(exchange, messageRequest, false);
    exchange.context.message = message;
    // Tracker failures other than an outage (a closed tracker) reach the error policy too.
    const report = (error: unknown) => exchange.fail(error);
    const ref = refOf(message);
    const stamp = await trackOrUndefined(tracker, ref, 'inbound', report);
    let reply: ReturnType<typeof normalizeReply>;
    try {
      reply = normalizeReply(await onMessage(message, stamp));
    } catch (error) {
      await endInterrupted(tracker, ref, report);
      throw error;
    }
    // Replies answer the message's session: if the handler ended it (tracker.handoff inside
    // onMessage), core counts nothing and opens nothing. Without a stamp, plain outbound.
    let answered = stamp?.sessionId;
    for (const _ of reply.replies) {
      answered = (await trackReplyOrUndefined(tracker, ref, answered, report))?.sessionId ?? answered;
    }
    if (reply.after !== undefined) await followUp(ref, reply.after, report);
    sendJson(res, 200, {
      sessionId: stamp?.sessionId ?? null,
      isNew: stamp?.isNew ?? null,
      replies: reply.replies,
    });
  }

  /** After the replies, so they count in the session the follow-up ends (a handoff in the handler would not count them). */
  async function followUp(
    ref: ConversationRef,
    after: 'handoff' | 'surveySent' | 'surveyAnswered',
    report: (error: unknown) => void,
  ): Promise<void> {
    await unlessStoreDown(() => tracker[after](ref), report);
  }

  const sessionCalls: Record<
    Exclude<OperationId, 'postMessage' | 'openApi' | 'getSession' | 'endSession'>,
    (ref: ConversationRef) => Promise<Session | undefined>
  > = {
    handoff: (ref) => tracker.handoff(ref),
    surveySent: (ref) => tracker.surveySent(ref),
    surveyAnswered: (ref) => tracker.surveyAnswered(ref),
  };

  async function work(exchange: Exchange<MessagingApiErrorContext>): Promise<void> {
    const { req, res } = exchange;
    const target = requestTargetOf(req);
    if (target === undefined) throw new WebhookHttpError(400, 'the request target has no path');
    const { pathname } = target;
    const match = matchRoute(req.method, pathname);
    if ('allow' in match) {
      throw new WebhookHttpError(
        405,
        `${req.method} is not allowed on ${pathname.slice(0, 200)} (allowed: ${match.allow.join(', ')})`,
        { allow: match.allow.join(', ') },
      );
    }
    const { route, conversationId } = match;
    if (route.operationId === 'openApi') {
      sendJson(res, 200, openApi);
      return;
    }
    authenticate(req, res, apiKeys);
    if (route.operationId === 'postMessage') {
      await postMessage(exchange);
      return;
    }
    const ref = refOf({ conversationId: conversationId! });
    try {
      switch (route.operationId) {
        case 'getSession': {
          const session = await tracker.get(ref);
          if (session === undefined) {
            throw new WebhookHttpError(
              404,
              `no active session for conversation ${JSON.stringify(ref.conversationId)}`,
            );
          }
          sendJson(res, 200, { session });
          return;
        }
        case 'endSession': {
          const { reason } = await readBody(exchange, endRequest, false);
          sendJson(res, 200, { session: (await tracker.end(ref, reason)) ?? null });
          return;
        }
        default: {
          await readBody(exchange, emptyRequest, true);
          const call = sessionCalls[route.operationId as keyof typeof sessionCalls];
          sendJson(res, 200, { session: (await call(ref)) ?? null });
        }
      }
    } catch (error) {
      // Nothing to run without a store here: say so, the caller can retry.
      if (error instanceof StoreUnavailableError) {
        sendJson(res, 503, { error: 'the session store is unavailable, retry later' });
        return;
      }
      throw error;
    }
  }

  return http.handler(work);
}

/** Whether the request carries a body at all (HTTP/1.1: a length above 0, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? 0);
  return !(length === 0);
}
