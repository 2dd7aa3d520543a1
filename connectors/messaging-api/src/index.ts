export { MESSAGING_API_CHANNEL, messagingApi, refOf } from './api.js';
export { openApiDocument } from './openapi.js';
export type { ApiMessage, FollowUp, MessageReply, MessagingApiOptions } from './options.js';
