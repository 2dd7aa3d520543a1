export type { BotSessionContext, BotSessionFlavor } from './context.js';
export { isInteraction, refOf, TELEGRAM_CHANNEL } from './map.js';
export { type BotSessionOptions, botSession } from './middleware.js';
export { sendsMessage, type TrackOutgoingOptions, trackOutgoing } from './outgoing.js';
