import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ConversationRef, type Session, StoreUnavailableError } from '@botsession/core';
import {
  endInterrupted,
  type NodeHandler,
  parseJsonBody,
  readRawBody,
  sendJson,
  toReportingNodeHandler,
  trackOrUndefined,
  trackReplyOrUndefined,
  unlessStoreDown,
  WebhookHttpError,
} from '@botsession/webhook';
import type { z } from 'zod';
import { authenticate } from './auth.js';
import { openApiDocument } from './openapi.js';
import { checkOptions, type MessagingApiOptions } from './options.js';
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
  const { tracker, apiKeys, onMessage, bodyLimitBytes, onError } = checkOptions(options);
  const report = onError ?? ((error: unknown) => console.error('[@botsession/messaging-api]', error));
  const openApi = openApiDocument();

  async function readBody<T>(req: IncomingMessage, schema: z.ZodType<T>, emptyIsObject: boolean): Promise<T> {
    const raw = await readRawBody(req, bodyLimitBytes);
    // Bodiless POSTs (handoff, survey-*) are common from curl and webhooks: an empty body is `{}`.
    const value = raw.length === 0 && emptyIsObject ? {} : parseJsonBody(raw);
    return parseBody(schema, value);
  }

  async function postMessage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const message = await readBody(req, messageRequest, false);
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
    if (reply.after !== undefined) await followUp(ref, reply.after);
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

  async function work(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Split by hand: `new URL('//x', base)` reads `//x` as a host, and throws on some paths.
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    const match = matchRoute(req.method, pathname);
    if ('allow' in match) {
      res.setHeader('allow', match.allow.join(', '));
      throw new WebhookHttpError(
        405,
        `${req.method} is not allowed on ${pathname} (allowed: ${match.allow.join(', ')})`,
      );
    }
    const { route, conversationId } = match;
    if (route.operationId === 'openApi') {
      sendJson(res, 200, openApi);
      return;
    }
    authenticate(req, res, apiKeys);
    if (route.operationId === 'postMessage') {
      await postMessage(req, res);
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
          const { reason } = await readBody(req, endRequest, false);
          sendJson(res, 200, { session: (await tracker.end(ref, reason)) ?? null });
          return;
        }
        default: {
          await readBody(req, emptyRequest, true);
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

  return toReportingNodeHandler(work, onError, report);
}
