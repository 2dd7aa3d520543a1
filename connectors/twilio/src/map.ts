import type { ConversationRef } from '@botsession/core';

/**
 * The parameters of a Twilio Messaging webhook, as Twilio posts them (form-encoded).
 * https://www.twilio.com/docs/messaging/guides/webhook-request
 * Only the fields botsession reads are named; every other parameter is kept as sent.
 */
export interface TwilioMessage {
  MessageSid?: string;
  AccountSid?: string;
  MessagingServiceSid?: string;
  /**
   * The sender: the user for an inbound message (`+14155550100`, `whatsapp:+14155550100`,
   * `rcs:+14155550100`, `messenger:<PSID>`; a WhatsApp user who hides the phone number behind
   * a username arrives as `whatsapp:<BSUID>`).
   */
  From?: string;
  /**
   * WhatsApp: the user's business-scoped user id (`whatsapp:US.13491208655302741918`), sent
   * beside `From` whether or not the user has a username.
   */
  ExternalUserIdentifier?: string;
  /** The recipient: your Twilio number or WhatsApp sender for an inbound message. */
  To?: string;
  Body?: string;
  NumMedia?: string;
  /** Present on status callbacks (`queued`, `sent`, `delivered`, …), which are not interactions. */
  MessageStatus?: string;
  SmsStatus?: string;
  [param: string]: string | undefined;
}

/** What a webhook is: a user's message, a delivery status report, or neither. */
export type TwilioWebhookKind = 'message' | 'status';

/**
 * A user's message carries a Body or NumMedia; a status callback carries MessageStatus and no
 * Body (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
 * Anything else is not a Messaging webhook: the caller answers 400 with the returned reason.
 */
export function kindOf(message: TwilioMessage): TwilioWebhookKind | string {
  if (!message.MessageSid) return 'MessageSid is missing: not a Twilio Messaging webhook';
  if (message.Body === undefined && message.NumMedia === undefined) {
    if (message.MessageStatus !== undefined) return 'status';
    return 'Body, NumMedia and MessageStatus are all missing: not a Twilio message or status callback';
  }
  if (!message.From && !message.ExternalUserIdentifier) return 'From is missing or empty';
  if (!message.To) return 'To is missing or empty';
  return 'message';
}

/**
 * The conversation of an inbound message: the user's address with the business address
 * (`To`), so one user writing to two of your numbers has two conversations. The user's
 * address is `From`, except on WhatsApp when Twilio sends the business-scoped user id
 * (`ExternalUserIdentifier`): that id stays the same when the user later hides the phone
 * number behind a username, so the conversation stays one conversation.
 * The channel comes from the address prefix: `whatsapp:` → `whatsapp`, `rcs:` → `rcs`,
 * `messenger:` → `facebook`, a plain number → `sms`.
 *
 * @example
 * app.post('/sms', botSession(tracker, { authToken }), async (req, res) => {
 *   await tracker.handoff(refOf(req.twilioMessage!));
 * });
 */
export function refOf(
  message: Pick<TwilioMessage, 'From' | 'To'> & { ExternalUserIdentifier?: string | undefined },
): ConversationRef {
  const user = userAddressOf(message);
  if (user === undefined) {
    throw new TypeError(`message.From must be the user's address, got ${JSON.stringify(message?.From)}`);
  }
  if (typeof message.To !== 'string' || message.To === '') {
    throw new TypeError(`message.To must be the business address, got ${JSON.stringify(message.To)}`);
  }
  return refOfAddresses(user, message.To);
}

/** The ref of a conversation between a user's address and a business address. */
export function refOfAddresses(userAddress: string, businessAddress: string): ConversationRef {
  return {
    channel: channelOf(userAddress, businessAddress),
    conversationId: `${userAddress}|${businessAddress}`,
    userId: userAddress,
  };
}

/** The user's address: the WhatsApp BSUID when Twilio sent one, else `From`. */
function userAddressOf(
  message: Pick<TwilioMessage, 'From'> & { ExternalUserIdentifier?: string | undefined },
): string | undefined {
  const bsuid = message?.ExternalUserIdentifier;
  if (typeof bsuid === 'string' && bsuid !== '') {
    return bsuid.startsWith('whatsapp:') ? bsuid : `whatsapp:${bsuid}`;
  }
  return typeof message?.From === 'string' && message.From !== '' ? message.From : undefined;
}

/**
 * Twilio prefixes every non-SMS address with its channel; plain E.164 numbers are SMS/MMS.
 * https://www.twilio.com/docs/messaging/guides/webhook-request
 */
const CHANNEL_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['whatsapp:', 'whatsapp'],
  ['rcs:', 'rcs'],
  ['messenger:', 'facebook'],
];

function channelOf(userAddress: string, businessAddress: string): string {
  for (const [prefix, channel] of CHANNEL_PREFIXES) {
    if (userAddress.startsWith(prefix) || businessAddress.startsWith(prefix)) return channel;
  }
  return 'sms';
}
