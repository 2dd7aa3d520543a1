/**
 * The shapes of Meta's webhook payloads, as documented. Only the fields botsession reads are
 * required; everything else is passed through to `onMessage` untouched.
 *
 * Messenger: https://developers.facebook.com/docs/messenger-platform/webhooks
 * Instagram: https://developers.facebook.com/docs/instagram-platform/webhooks
 * WhatsApp:  https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
 */

/** The envelope of every Meta webhook POST. */
export interface MetaPayload {
  object: string;
  entry: unknown[];
}

/** A Page-scoped or Instagram-scoped id (`{ id }`). */
export interface MessagingParty {
  id: string;
}

/** One item of `entry[].messaging[]` (Messenger and Instagram) or `entry[].standby[]`. */
export interface MessagingItem {
  sender: MessagingParty;
  recipient: MessagingParty;
  timestamp?: number;
  message?: {
    mid?: string;
    text?: string;
    is_echo?: boolean;
    app_id?: number | string;
    quick_reply?: { payload: string };
    attachments?: unknown[];
    [field: string]: unknown;
  };
  postback?: { title?: string; payload?: string; mid?: string; [field: string]: unknown };
  pass_thread_control?: ThreadControl;
  take_thread_control?: ThreadControl;
  delivery?: unknown;
  read?: unknown;
  [field: string]: unknown;
}

/** The handover protocol's thread-control change. */
export interface ThreadControl {
  previous_owner_app_id?: number | string;
  new_owner_app_id?: number | string;
  metadata?: string;
}

/** `entry[].changes[].value` of a WhatsApp Cloud API `messages` webhook. */
export interface WhatsAppValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number?: string; phone_number_id: string };
  contacts?: WhatsAppContact[];
  messages?: WhatsAppMessage[];
  statuses?: unknown[];
  [field: string]: unknown;
}

/**
 * The sender's entry of `value.contacts`. `user_id` is the business-scoped user id (BSUID);
 * `wa_id` (the phone number) is absent for a user who hides it behind a username.
 */
export interface WhatsAppContact {
  wa_id?: string;
  user_id?: string;
  profile?: { name?: string; username?: string };
  [field: string]: unknown;
}

/** One user message of `value.messages[]`: `type` says which field holds the content. */
export interface WhatsAppMessage {
  /** The user's phone number; absent for a user who hides it behind a username. */
  from?: string;
  /** The user's business-scoped user id (BSUID). */
  from_user_id?: string;
  id: string;
  timestamp?: string;
  type: string;
  text?: { body: string };
  [field: string]: unknown;
}
