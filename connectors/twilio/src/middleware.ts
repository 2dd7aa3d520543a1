import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConversationRef, SessionStamp, SessionTracker } from '@botsession/core';
import {
  checkTracker,
  readRawBody,
  sendText,
  toNodeHandler,
  trackReplyOrUndefined,
  WebhookHttpError,
  type WebhookRequest,
} from '@botsession/webhook';
import { kindOf, refOf, type TwilioMessage } from './map.js';
import { type BotSessionOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { watchReplies } from './replies.js';
import { withinRequest } from './request-scope.js';
import { checkSignature, paramsOfForm, type SignedParams, urlOf } from './signature.js';
import { endInterrupted, trackMessage } from './track.js';

/** A request that went through `botSession()`. */
export interface TwilioRequest extends IncomingMessage {
  /** The message's session stamp; undefined for status callbacks and when the store is down. */
  botSession?: SessionStamp;
  /** The webhook's parameters, signature checked (a repeated parameter keeps its last value). */
  twilioMessage?: TwilioMessage;
}

// Express users get `req.botSession` typed without casts (the way passport types `req.user`).
declare global {
  namespace Express {
    interface Request {
      botSession?: SessionStamp;
      twilioMessage?: TwilioMessage;
    }
  }
}

/** Connect/Express middleware; in plain Node, `next` is your handler. */
export type TwilioMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => unknown,
) => void;

/** What Twilio gets when the handler failed and answered nothing: no reply, no error 11200. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Middleware for Twilio Messaging webhooks (SMS, MMS, WhatsApp): checks `X-Twilio-Signature`
 * (403), tracks the user's message, puts its stamp on `req.botSession` and the parameters on
 * `req.twilioMessage`, and counts each TwiML `<Message>` the route answers as a bot reply.
 *
 * @example
 * const tracker = createSessionTracker();
 * app.post('/sms', botSession(tracker, { authToken, url: 'https://bot.example.com/sms' }), (req, res) => {
 *   const twiml = new twilio.twiml.MessagingResponse();
 *   twiml.message(`session ${req.botSession?.sessionId}`);
 *   res.type('text/xml').send(twiml.toString());
 * });
 */
export function botSession(tracker: SessionTracker, options: BotSessionOptions): TwilioMiddleware {
  checkTracker(tracker);
  const resolved = resolveOptions(options);
  return (req, res, next) => {
    // `next` is deliberately not handed to toNodeHandler: in plain Node it is the bot itself,
    // and an unexpected failure before the signature check (a `url` function that throws)
    // must never run it. Such a failure answers a bare 500 and is logged.
    toNodeHandler(
      (request, response) => handle(tracker, resolved, request as TwilioRequest, response, next),
      (error) => console.error(error),
    )(req, res);
  };
}

async function handle(
  tracker: SessionTracker,
  options: ResolvedOptions,
  req: TwilioRequest,
  res: ServerResponse,
  next: (error?: unknown) => unknown,
): Promise<void> {
  if (req.method !== 'POST') {
    throw new WebhookHttpError(405, `Twilio Messaging webhooks are POST requests, got ${req.method}`);
  }
  const params = await paramsOf(req, options.bodyLimitBytes);
  checkSignature(req, options.authToken, urlOf(req, options.url), params);

  const message = lastValues(params);
  req.twilioMessage = message;
  const kind = kindOf(message);
  if (kind === 'status') {
    // A delivery report about a message already sent: not an interaction, nothing to track.
    await runHandler(next, req, res, options, undefined);
    return;
  }
  if (kind !== 'message') throw new WebhookHttpError(400, kind);

  const ref = refOf(message);
  // A store outage must not silence the bot: the tracker has emitted `error`; go on unstamped.
  req.botSession = await trackMessage(tracker, ref, message, logUnexpected);

  const interrupt = once(() => endInterrupted(tracker, ref, message, logUnexpected));
  // Express answers a thrown route with its error handler (500 by default) and never tells the
  // middleware, so the response is the signal: a 5xx or a connection closed unanswered (Twilio
  // gives up after 15 s) means the pipeline failed.
  res.once('close', () => {
    if (!res.writableFinished || res.statusCode >= 500) interrupt();
  });
  const answered = req.botSession?.sessionId;
  watchReplies(res, (count) => trackReplies(tracker, ref, answered, count));
  // REST sends from the route find the request's conversation (see request-scope.ts).
  const scope = { from: message.From, to: message.To as string, ref };
  await withinRequest(scope, () => runHandler(next, req, res, options, interrupt));
}

/**
 * Runs what comes after the middleware. In Express `next()` returns at once and errors go to
 * the app's error handler; in plain Node `next` is the bot's handler, and when it throws the
 * session ends `interrupted` and Twilio gets an empty `<Response/>` (200: no reply, no retry,
 * no fallback URL), then the error goes to `onHandlerError`.
 */
async function runHandler(
  next: (error?: unknown) => unknown,
  req: TwilioRequest,
  res: ServerResponse,
  options: ResolvedOptions,
  interrupt: (() => void) | undefined,
): Promise<void> {
  try {
    await next();
  } catch (error) {
    interrupt?.();
    if (!res.headersSent) sendText(res, 200, EMPTY_TWIML, 'text/xml; charset=utf-8');
    else if (!res.writableEnded) res.end();
    options.onHandlerError(error, req);
  }
}

/**
 * Counts the TwiML replies as replies to the session of the message they answer. Core decides
 * (`inReplyTo`): once the handler ended that session (a handoff, an answered survey) a reply
 * is not counted and opens no session. With no inbound stamp (the store was down) a reply is
 * a plain outbound message.
 */
async function trackReplies(
  tracker: SessionTracker,
  ref: ConversationRef,
  answered: string | undefined,
  count: number,
): Promise<void> {
  // The store is down (the tracker emitted `error`): the reply still goes out.
  for (let reply = 0; reply < count; reply++) {
    await trackReplyOrUndefined(tracker, ref, answered, logUnexpected);
  }
}

/** A tracker call that failed for another reason than a store outage (a closed tracker): logged. */
function logUnexpected(error: unknown): void {
  console.error('[botsession/twilio] a tracker call failed:', error);
}

/**
 * The signed parameters. Twilio signs parameters, not bytes, so a body that Express's
 * `urlencoded()` already parsed is used as it is; otherwise the raw form body is read here.
 */
async function paramsOf(req: WebhookRequest, limitBytes: number): Promise<SignedParams> {
  const parsed = req.body;
  if (req.rawBody === undefined && isRecord(parsed)) {
    // No prototype: a parameter named `__proto__` or `constructor` stays a plain parameter.
    const params: SignedParams = Object.create(null);
    for (const [key, value] of Object.entries(parsed)) {
      params[key] = Array.isArray(value) ? value.map(String) : String(value);
    }
    return params;
  }
  return paramsOfForm(await readRawBody(req, limitBytes));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !ArrayBuffer.isView(value);
}

function lastValues(params: SignedParams): TwilioMessage {
  const message: TwilioMessage = Object.create(null);
  for (const [key, value] of Object.entries(params))
    message[key] = Array.isArray(value) ? value.at(-1) : value;
  return message;
}

function once(run: () => unknown): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    void run();
  };
}
