export {
  type DirectMessageEvent,
  refOf,
  TWITTER_CHANNEL,
  type TwitterApi,
  type TwitterDirectMessage,
  type TwitterUser,
} from './map.js';
export type { TwitterErrorContext, TwitterWebhookOptions } from './options.js';
export { trackSent } from './outbound.js';
export { twitterWebhook } from './webhook.js';
