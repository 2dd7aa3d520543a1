import type { ConversationRef } from '@botsession/core';
import type { MessagingItem, WhatsAppContact, WhatsAppMessage, WhatsAppValue } from './payload.js';

/** The botsession channel ids Meta's three products map to. */
export type MetaChannel = 'facebook' | 'instagram' | 'whatsapp';

/** A user's message or postback on Messenger (`facebook`) or Instagram (`instagram`). */
export interface MessagingEvent {
  channel: 'facebook' | 'instagram';
  /** `message` (text, attachments, quick replies) or `postback` (a button tap). */
  kind: 'message' | 'postback';
  /** The Page id (Messenger) or Instagram professional account id: the bot's side. */
  pageId: string;
  /** The user's Page-scoped (PSID) or Instagram-scoped (IGSID) id. */
  userId: string;
  /** The platform's item, untouched. */
  messaging: MessagingItem;
}

/** A user's message on WhatsApp Cloud API (`whatsapp`). */
export interface WhatsAppEvent {
  channel: 'whatsapp';
  kind: 'message';
  /** The business phone number id the message was sent to: the bot's side. */
  phoneNumberId: string;
  /**
   * The user: their business-scoped user id (BSUID, `messages[].from_user_id`) when Meta sent
   * one, else their phone number (`messages[].from`). See the README on usernames.
   */
  userId: string;
  /** The user's phone number (`messages[].from`); absent when the user hides it behind a username. */
  phoneNumber?: string;
  /** The platform's message, untouched. */
  message: WhatsAppMessage;
  /** The sender's entry of `value.contacts`, when Meta sent one. */
  contact?: WhatsAppContact;
  /** The whole `changes[].value`, untouched (metadata, contacts, …). */
  value: WhatsAppValue;
}

/** What `onMessage` receives: one user message of one conversation. */
export type MetaEvent = MessagingEvent | WhatsAppEvent;

/**
 * The conversation of an event. Messenger/Instagram: `${pageId}:${userId}` (a PSID is only
 * unique per Page, so the Page is part of the id); WhatsApp: `${phoneNumberId}:${bsuidOrPhone}` (one
 * user can write to several business numbers, each its own conversation).
 *
 * @example
 * await tracker.track(refOf(event), { direction: 'outbound' }); // after sending a WhatsApp reply
 */
export function refOf(event: MetaEvent): ConversationRef {
  const botSide = event.channel === 'whatsapp' ? event.phoneNumberId : event.pageId;
  return conversationRef(event.channel, botSide, event.userId);
}

/** The one place the conversation id is built, for events and for echoes alike. */
export function conversationRef(channel: MetaChannel, botSideId: string, userId: string): ConversationRef {
  return { channel, conversationId: `${botSideId}:${userId}`, userId };
}
