export {
  type DirectMessageEvent,
  refOf,
  TWITTER_CHANNEL,
  type TwitterDirectMessage,
  type TwitterUser,
} from './map.js';
export type { TwitterErrorContext, TwitterWebhookOptions } from './options.js';
export { twitterWebhook } from './webhook.js';
