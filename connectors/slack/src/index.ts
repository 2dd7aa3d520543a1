export { type BotSessionContext, botSession, type SlackBotSessionOptions } from './middleware.js';
export { METADATA_EVENT_TYPE } from './outbound.js';
export { refOf, type SlackRequestLike } from './refof.js';
