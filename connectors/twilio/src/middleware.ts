import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, type ConversationRef, type SessionStamp, type SessionTracker } from '@botsession/core';
import {
  checkTracker,
  type Exchange,
  headerOf,
  httpLayer,
  replyDeliveryId,
  sendText,
  trackReplyOrUndefined,
  WebhookHttpError,
  type WebhookRequest,
} from '@botsession/webhook';
import { kindOf, refOf, type TwilioMessage } from './map.js';
import {
  type BotSessionOptions,
  type ResolvedOptions,
  resolveOptions,
  type TwilioErrorContext,
} from './options.js';
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
) => Promise<void>;

/** What Twilio gets when the handler failed and answered nothing: no reply, no error 11200. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Middleware for Twilio Messaging webhooks (SMS, MMS, WhatsApp): checks `X-Twilio-Signature`
 * (403), tracks the user's message, puts its stamp on `req.botSession` and the parameters on
 * `req.twilioMessage`, and counts each TwiML `<Message>` the route answers as a bot reply.
 *
 * @example
 * const tracker = createSessionTracker();
 * app.post('/sms', botSession({ tracker, authToken, url: 'https://bot.example.com/sms' }), (req, res) => {
 *   const twiml = new twilio.twiml.MessagingResponse();
 *   twiml.message(`session ${req.botSession?.sessionId}`);
 *   res.type('text/xml').send(twiml.toString());
 * });
 */
export function botSession(options: BotSessionOptions & { tracker: SessionTracker }): TwilioMiddleware;
export function botSession(tracker: SessionTracker, options: BotSessionOptions): TwilioMiddleware;
export function botSession(
  first: SessionTracker | (BotSessionOptions & { tracker: SessionTracker }),
  second?: BotSessionOptions,
): TwilioMiddleware {
  const options = second ?? (first as BotSessionOptions);
  const tracker = second === undefined ? (first as BotSessionOptions).tracker : (first as SessionTracker);
  if (second !== undefined && (second as BotSessionOptions).tracker !== undefined) {
    throw new ConfigError(
      'tracker',
      'tracker is given twice: pass botSession({ tracker, … }) or botSession(tracker, { … })',
    );
  }
  checkTracker(tracker);
  const resolved = resolveOptions(options);
  const http = httpLayer<TwilioErrorContext>({ connector: '@botsession/twilio', ...resolved });
  // `next` is deliberately not handed to the layer as Express's `next`: in plain Node it is the
  // bot itself, and an unexpected failure before the signature check (a `url` function that
  // throws) must never run it. Such a failure answers a bare 500 and goes to onError (else the log).
  const bots = new WeakMap<IncomingMessage, (error?: unknown) => unknown>();
  const run = http.handler((exchange) =>
    handle(tracker, resolved, exchange, bots.get(exchange.req)!, (error) =>
      // Immediately, not at the end of the request: replies are tracked after it was answered.
      http.report(error, { ...exchange.context, req: exchange.req, connector: '@botsession/twilio' }),
    ),
  );
  return (req, res, next) => {
    bots.set(req, next);
    return run(req, res);
  };
}

async function handle(
  tracker: SessionTracker,
  options: ResolvedOptions,
  exchange: Exchange<TwilioErrorContext>,
  next: (error?: unknown) => unknown,
  report: (error: unknown) => void,
): Promise<void> {
  const req = exchange.req as TwilioRequest;
  const res = exchange.res;
  if (req.method !== 'POST') {
    throw new WebhookHttpError(405, `Twilio Messaging webhooks are POST requests, got ${req.method}`, {
      allow: 'POST',
    });
  }
  // The signature comes first: without its header the body is not even read.
  if (!headerOf(req.headers, 'x-twilio-signature')) {
    throw new WebhookHttpError(403, 'X-Twilio-Signature header is missing');
  }
  const params = await paramsOf(exchange);
  checkSignature(req, options.authToken, urlOf(req, options.url), params);

  const message = lastValues(params);
  req.twilioMessage = message;
  exchange.context.message = message;
  const kind = kindOf(message);
  if (kind === 'status') {
    // A delivery report about a message already sent: not an interaction, nothing to track.
    await runHandler(next, exchange, undefined);
    return;
  }
  if (kind !== 'message') throw new WebhookHttpError(400, kind);

  const ref = refOf(message);
  // A store outage must not silence the bot: the tracker has emitted `error`; go on unstamped.
  req.botSession = await trackMessage(tracker, ref, message, report);

  const interrupt = once(() => endInterrupted(tracker, ref, message, report));
  // Express answers a thrown route with its error handler (500 by default) and never tells the
  // middleware, so the response is the signal: a 5xx or a connection closed unanswered (Twilio
  // gives up after 15 s) means the pipeline failed.
  res.once('close', () => {
    if (!res.writableFinished || res.statusCode >= 500) interrupt();
  });
  const answered = req.botSession?.sessionId;
  const messageSid = message.MessageSid || undefined;
  watchReplies(res, (count) => trackReplies(tracker, ref, answered, messageSid, count, report));
  // REST sends from the route find the request's conversation (see request-scope.ts).
  const scope = { from: message.From, to: message.To as string, ref };
  await withinRequest(scope, () => runHandler(next, exchange, interrupt));
}

/**
 * Runs what comes after the middleware. In Express `next()` returns at once and errors go to
 * the app's error handler; in plain Node `next` is the bot's handler, and when it throws the
 * session ends `interrupted` and Twilio gets an empty `<Response/>` (200: no reply, no retry,
 * no fallback URL), then the error goes to `onError` (else the log).
 */
async function runHandler(
  next: (error?: unknown) => unknown,
  exchange: Exchange<TwilioErrorContext>,
  interrupt: (() => void) | undefined,
): Promise<void> {
  const { res } = exchange;
  try {
    await next();
  } catch (error) {
    interrupt?.();
    if (!res.headersSent) sendText(res, 200, EMPTY_TWIML, 'text/xml; charset=utf-8');
    else if (!res.writableEnded) res.end();
    exchange.fail(error);
  }
}

/**
 * Counts the TwiML replies as replies to the session of the message they answer. Core decides
 * (`inReplyTo`): once the handler ended that session (a handoff, an answered survey) a reply
 * is not counted and opens no session. With no inbound stamp (the store was down) a reply is
 * a plain outbound message.
 *
 * Each reply carries an id derived from the `MessageSid` it answers: Twilio sends a TwiML
 * answer only once it has it, and retries a request whose answer it did not get, so the route
 * runs again and answers again; the n-th `<Message>` of either answer is one message, counted once.
 */
async function trackReplies(
  tracker: SessionTracker,
  ref: ConversationRef,
  answered: string | undefined,
  messageSid: string | undefined,
  count: number,
  report: (error: unknown) => void,
): Promise<void> {
  // The store is down (the tracker emitted `error`): the reply still goes out.
  for (let reply = 1; reply <= count; reply++) {
    await trackReplyOrUndefined(tracker, ref, answered, report, replyDeliveryId(messageSid, reply));
  }
}

/**
 * The signed parameters. Twilio signs parameters, not bytes, so a body that Express's
 * `urlencoded()` already parsed is used as it is; otherwise the raw form body is read here.
 */
async function paramsOf(exchange: Exchange<TwilioErrorContext>): Promise<SignedParams> {
  const req = exchange.req as WebhookRequest;
  const parsed = req.body;
  if (req.rawBody === undefined && isRecord(parsed)) {
    // No prototype: a parameter named `__proto__` or `constructor` stays a plain parameter.
    const params: SignedParams = Object.create(null);
    for (const [key, value] of Object.entries(parsed)) {
      params[key] = Array.isArray(value) ? value.map(String) : String(value);
    }
    return params;
  }
  // No media-type check: Twilio's signature over the parameters is what proves the request.
  return paramsOfForm(await exchange.readBody());
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
