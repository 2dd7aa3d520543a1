/**
 * botsession for SMS and WhatsApp through Twilio Messaging webhooks: a Connect/Express
 * middleware that stamps every message with its session, and a REST client wrapper that
 * counts the bot's own sends.
 */
export { type OutboundMessage, trackedClient, trackOutbound } from './client.js';
export { refOf, type TwilioMessage } from './map.js';
export { botSession, type TwilioMiddleware, type TwilioRequest } from './middleware.js';
export type { BotSessionOptions, TwilioErrorContext } from './options.js';
export type { WebhookUrl } from './signature.js';
