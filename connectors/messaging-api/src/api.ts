import type { IncomingMessage } from 'node:http';
import {
  type ConversationRef,
  type EventOptions,
  type Session,
  StoreUnavailableError,
} from '@botsession/core';
import {
  type Exchange,
  endInterrupted,
  httpLayer,
  JSON_MEDIA_TYPES,
  type NodeHandler,
  parseJsonBody,
  replyDeliveryId,
  requestTargetOf,
  sendJson,
  trackOrUndefined,
  trackReplyOrUndefined,
  unlessStoreDownOrReport,
  WebhookHttpError,
} from '@botsession/webhook';
import type { z } from 'zod';
import { authenticate } from './auth.js';
import { idempotencyKeyOf } from './idempotency.js';
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
    // A body must be JSON (415 otherwise); a bodiless POST (handoff, survey-*, `curl -d ''`)
    // has nothing to type, whatever its header says.
    const raw = await exchange.readBody(hasBody(exchange.req) ? JSON_MEDIA_TYPES : undefined);
    // Bodiless POSTs (handoff, survey-*) are common from curl and webhooks: an empty body is `{}`.
    const value = raw.length === 0 && emptyIsObject ? {} : parseJsonBody(raw);
    return parseBody(schema, value);
  }

  async function postMessage(exchange: Exchange<MessagingApiErrorContext>): Promise<void> {
    const { res } = exchange;
    const key = idempotencyKeyOf(exchange.req);
    const message = await readBody(exchange, messageRequest, false);
    exchange.context.message = message;
    // Tracker failures other than an outage (a closed tracker) reach the error policy too.
    const report = (error: unknown) => exchange.fail(error);
    const ref = refOf(message);
    // The Idempotency-Key is the delivery id: a retried request counts nothing more, and the
    // bot runs again with the original stamp (`redelivered`), since the first attempt may
    // have failed before answering.
    const stamp = await trackOrUndefined(tracker, ref, 'inbound', report, key);
    let reply: ReturnType<typeof normalizeReply>;
    try {
      reply = normalizeReply(await onMessage(message, stamp));
    } catch (error) {
      await endInterrupted(tracker, ref, report, key);
      throw error;
    }
    // Replies answer the message's session: if the handler ended it (tracker.handoff inside
    // onMessage), core counts nothing and opens nothing. Without a stamp, plain outbound. On
    // a retried request they carry ids derived from its key, so they count once too.
    let answered = stamp?.sessionId;
    for (const [index] of reply.replies.entries()) {
      const replyId = replyDeliveryId(key, index + 1);
      answered =
        (await trackReplyOrUndefined(tracker, ref, answered, report, replyId))?.sessionId ?? answered;
    }
    // The follow-up carries the request's key as is: core keeps an event's ids apart from the messages'.
    if (reply.after !== undefined) await followUp(ref, reply.after, report, key);
    sendJson(res, 200, {
      sessionId: stamp?.sessionId ?? null,
      isNew: stamp?.isNew ?? null,
      redelivered: stamp?.redelivered ?? null,
      replies: reply.replies,
    });
  }

  /** After the replies, so they count in the session the follow-up ends (a handoff in the handler would not count them). */
  async function followUp(
    ref: ConversationRef,
    after: 'handoff' | 'surveySent' | 'surveyAnswered',
    report: (error: unknown) => void,
    deliveryId: string | undefined,
  ): Promise<void> {
    await unlessStoreDownOrReport(
      () => tracker[after](ref, deliveryId === undefined ? undefined : { deliveryId }),
      report,
    );
  }

  const sessionCalls: Record<
    Exclude<OperationId, 'postMessage' | 'openApi' | 'getSession' | 'endSession'>,
    (ref: ConversationRef, options: EventOptions | undefined) => Promise<Session | undefined>
  > = {
    handoff: (ref, options) => tracker.handoff(ref, options),
    surveySent: (ref, options) => tracker.surveySent(ref, options),
    surveyAnswered: (ref, options) => tracker.surveyAnswered(ref, options),
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
    // A retried handoff, survey or end (same Idempotency-Key) does nothing more.
    const key = idempotencyKeyOf(req);
    const eventOptions = key === undefined ? undefined : { deliveryId: key };
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
          sendJson(res, 200, { session: (await tracker.end(ref, reason, eventOptions)) ?? null });
          return;
        }
        default: {
          await readBody(exchange, emptyRequest, true);
          const call = sessionCalls[route.operationId as keyof typeof sessionCalls];
          sendJson(res, 200, { session: (await call(ref, eventOptions)) ?? null });
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
