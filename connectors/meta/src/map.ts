import type { ConversationRef } from '@botsession/core';
import { WebhookHttpError } from '@botsession/webhook';
import { conversationRef, type MessagingEvent, type MetaEvent, refOf, type WhatsAppEvent } from './event.js';
import type { MessagingItem, WhatsAppContact, WhatsAppMessage, WhatsAppValue } from './payload.js';

/** What one item of a payload asks of the tracker. Items that are not interactions give none. */
export type MetaAction =
  /** A user's message or postback: track inbound, then call `onMessage`. */
  | { type: 'message'; event: MetaEvent; ref: ConversationRef; deliveryId?: string }
  /**
   * The Page's own message (a Messenger/Instagram echo): counted as the bot's, matched by its
   * `mid` to a reply the bot already counted with `trackSent`.
   */
  | { type: 'echo'; ref: ConversationRef; deliveryId?: string }
  /** Thread control went to another app (a human inbox): the session ends `handoff`. */
  | { type: 'handoff'; ref: ConversationRef };

const MESSAGING_CHANNELS = { page: 'facebook', instagram: 'instagram' } as const;

/**
 * WhatsApp `messages[]` types that are not something the user said to the bot, so they count
 * as nothing and never reach `onMessage` (the reason for each is in the README's table):
 * - `reaction`: an emoji on an earlier message, not a message;
 * - `system`: a notice WhatsApp itself sends (the user changed numbers);
 * - `edit`: the user edited an earlier message, already counted when it was sent;
 * - `revoke`: the user deleted an earlier message ("deleted for everyone"): nothing was said;
 * - `request_welcome`: the user opened the chat for the first time and wrote nothing yet;
 * - `unsupported`: a message type the Cloud API cannot deliver (its `errors` say which), so
 *   the bot cannot read or answer it.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */
const WHATSAPP_NON_MESSAGES = new Set([
  'reaction',
  'system',
  'edit',
  'revoke',
  'request_welcome',
  'unsupported',
]);

/**
 * Turns a verified payload into tracker actions, in payload order. The envelope must be
 * `{ object: string, entry: [] }` (else 400); inside it, items of unknown or partial shape are
 * skipped rather than refused, so one odd item never makes Meta retry a whole batch.
 * `appId` is the bot's own app id, to tell control coming back to the bot from a handoff.
 */
export function actionsOf(payload: unknown, appId?: string): MetaAction[] {
  if (!isRecord(payload) || Array.isArray(payload)) {
    throw new WebhookHttpError(400, 'request body must be a JSON object with object and entry');
  }
  if (typeof payload.object !== 'string') {
    throw new WebhookHttpError(400, `object must be a string, got ${typeName(payload.object)}`);
  }
  if (!Array.isArray(payload.entry)) {
    throw new WebhookHttpError(400, `entry must be an array, got ${typeName(payload.entry)}`);
  }
  const actions: MetaAction[] = [];
  for (const entry of payload.entry) {
    if (!isRecord(entry)) continue;
    if (payload.object === 'page' || payload.object === 'instagram') {
      const channel = MESSAGING_CHANNELS[payload.object];
      // `standby` (traffic while another app, e.g. a human inbox, owns the thread) is left
      // unread on purpose: the bot's session ended at the handoff (see the README).
      for (const item of arrayOf(entry.messaging)) {
        const action = messagingAction(channel, item, appId);
        if (action !== undefined) actions.push(action);
      }
    } else if (payload.object === 'whatsapp_business_account') {
      for (const change of arrayOf(entry.changes)) {
        // Other fields (`smb_message_echoes` of the WhatsApp Business app, account updates…)
        // are not the bot's conversations: see the README's table.
        if (isRecord(change) && change.field === 'messages') actions.push(...whatsAppActions(change.value));
      }
    }
    // Any other object (`user`, `permissions`, …) is not a conversation: nothing to track.
  }
  return actions;
}

function messagingAction(
  channel: 'facebook' | 'instagram',
  item: unknown,
  appId: string | undefined,
): MetaAction | undefined {
  if (!isRecord(item)) return undefined;
  const senderId = idOf(item.sender);
  const recipientId = idOf(item.recipient);
  if (senderId === undefined || recipientId === undefined) return undefined;
  const messaging = item as MessagingItem;
  const message = isRecord(item.message) ? item.message : undefined;

  if (message?.is_echo === true) {
    // An echo is the Page's own message: the sender is the Page, the user is the recipient.
    // Its `mid` is the `message_id` the Send API returned for it.
    return withDeliveryId(
      { type: 'echo', ref: conversationRef(channel, senderId, recipientId) },
      message.mid,
    );
  }
  const ref = conversationRef(channel, recipientId, senderId);
  if (message !== undefined) {
    // Instagram reports an unsent message as a message with `is_deleted`, and Messenger/Instagram
    // an edit with `message_edit` (not a `message`): nothing new was said.
    if (message.is_deleted === true) return undefined;
    const event = messagingEvent(channel, 'message', recipientId, senderId, messaging);
    return withDeliveryId({ type: 'message', event, ref }, message.mid);
  }
  if (isRecord(item.postback)) {
    const event = messagingEvent(channel, 'postback', recipientId, senderId, messaging);
    return withDeliveryId({ type: 'message', event, ref }, item.postback.mid);
  }
  // Handover protocol: https://developers.facebook.com/docs/messenger-platform/handover-protocol
  // pass_thread_control reaches the app that receives the thread; when that is this bot the
  // conversation came back from a human, which ends nothing.
  if (isRecord(item.pass_thread_control)) {
    const newOwner = item.pass_thread_control.new_owner_app_id;
    if (appId !== undefined && newOwner !== undefined && String(newOwner) === appId) return undefined;
    return { type: 'handoff', ref };
  }
  // take_thread_control reaches the app the thread was taken from: a human took over.
  if (isRecord(item.take_thread_control)) return { type: 'handoff', ref };
  // delivery, read, reaction, referral, optin, request_thread_control…: not interactions.
  return undefined;
}

function messagingEvent(
  channel: 'facebook' | 'instagram',
  kind: 'message' | 'postback',
  pageId: string,
  userId: string,
  messaging: MessagingItem,
): MessagingEvent {
  return { channel, kind, pageId, userId, messaging };
}

function whatsAppActions(value: unknown): MetaAction[] {
  // `statuses` (sent/delivered/read receipts of the bot's messages) are not interactions.
  if (!isRecord(value) || !isRecord(value.metadata)) return [];
  const phoneNumberId = nonEmpty(value.metadata.phone_number_id);
  if (phoneNumberId === undefined) return [];
  const contacts = arrayOf(value.contacts).filter(isRecord) as WhatsAppContact[];
  const actions: MetaAction[] = [];
  for (const message of arrayOf(value.messages)) {
    if (!isRecord(message)) continue;
    const userId = whatsAppUserOf(message.from_user_id, message.from);
    if (userId === undefined || WHATSAPP_NON_MESSAGES.has(message.type as string)) continue;
    const event: WhatsAppEvent = {
      channel: 'whatsapp',
      kind: 'message',
      phoneNumberId,
      userId,
      message: message as WhatsAppMessage,
      value: value as WhatsAppValue,
    };
    const phoneNumber = nonEmpty(message.from);
    if (phoneNumber !== undefined) event.phoneNumber = phoneNumber;
    const contact = contacts.find(
      (candidate) =>
        (candidate.user_id !== undefined && candidate.user_id === message.from_user_id) ||
        (candidate.wa_id !== undefined && candidate.wa_id === message.from),
    );
    if (contact !== undefined) event.contact = contact;
    actions.push(withDeliveryId({ type: 'message', event, ref: refOf(event) }, message.id));
  }
  return actions;
}

/**
 * The WhatsApp user of a conversation: the business-scoped user id (BSUID) when the payload
 * carries one, else the phone number. Meta puts the BSUID in every messages webhook since
 * April 2026, whether or not the user adopted a username, and withholds the phone number of
 * users with a username: keyed by BSUID, a conversation stays one conversation when the phone
 * number later disappears from the payloads.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
function whatsAppUserOf(bsuid: unknown, phoneNumber: unknown): string | undefined {
  return nonEmpty(bsuid) ?? nonEmpty(phoneNumber);
}

/** The action with the platform's message id as its delivery id, when it has one. */
function withDeliveryId<A extends MetaAction & { deliveryId?: string }>(action: A, id: unknown): A {
  const deliveryId = nonEmpty(id);
  if (deliveryId !== undefined) action.deliveryId = deliveryId;
  return action;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function idOf(party: unknown): string | undefined {
  return isRecord(party) ? nonEmpty(party.id) : undefined;
}

// Meta sends ids as strings; a number would lose digits past 2^53, so it is not guessed at.
function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
