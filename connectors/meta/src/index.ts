/**
 * botsession for Meta's webhooks: Messenger (`facebook`), Instagram (`instagram`) and
 * WhatsApp Cloud API (`whatsapp`), one handler for all three.
 */
export type { NodeHandler } from '@botsession/webhook';
export { type MessagingEvent, type MetaChannel, type MetaEvent, refOf, type WhatsAppEvent } from './event.js';
export type { MetaErrorContext, MetaWebhookOptions } from './options.js';
export { trackSent } from './outbound.js';
export type {
  MessagingItem,
  MessagingParty,
  ThreadControl,
  WhatsAppContact,
  WhatsAppMessage,
  WhatsAppValue,
} from './payload.js';
export { metaWebhook } from './webhook.js';
