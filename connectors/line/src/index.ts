/** botsession for LINE Messaging API bots (`@line/bot-sdk`): a webhook endpoint and a tracked client. */
export type { NodeHandler } from '@botsession/webhook';
export { type TrackedClientOptions, trackedClient } from './client.js';
export { refOf } from './map.js';
export type { LineWebhookOptions } from './options.js';
export { lineWebhook } from './webhook.js';
