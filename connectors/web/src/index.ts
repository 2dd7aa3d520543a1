import type { ConversationRef } from '@botsession/core';
import { createHandler } from './handler.js';
import {
  resolveOptions,
  type WebChannelHandler,
  type WebChannelOptions,
  type WebMessageContext,
} from './options.js';

export type { MessageResponse, StampedMessage } from './handler.js';
export type {
  NextFunction,
  WebChannelHandler,
  WebChannelOptions,
  WebErrorContext,
  WebMessageContext,
  WebMessageHandler,
  WebReply,
} from './options.js';

/**
 * The web chat: a Node `(req, res, next?)` handler that serves the widget script
 * (`GET <basePath>/widget.js`) and its JSON API (`POST open`, `message`, `close`) on channel `web`.
 * Bad options throw a `ConfigError` naming the field.
 *
 * @example
 * const tracker = createSessionTracker();
 * const chat = webChannel({ tracker, secret: process.env.WEB_CHAT_SECRET!, basePath: '/botsession',
 *   onMessage: (text, ctx) => `You said ${text} (session ${ctx.botSession?.sessionId})` });
 * http.createServer(chat).listen(3000); // or app.use(chat) in express
 * // page: <script src="/botsession/widget.js" defer></script>
 */
export function webChannel(options: WebChannelOptions): WebChannelHandler {
  return createHandler(resolveOptions(options));
}

/** The conversation of a message context, for any tracker call: `tracker.handoff(refOf(ctx))`. */
export function refOf(ctx: WebMessageContext): ConversationRef {
  return ctx.ref;
}
