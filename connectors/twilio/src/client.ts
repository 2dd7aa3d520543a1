import type { ConversationRef, SessionStamp, SessionTracker } from '@botsession/core';
import { trackOrUndefined } from '@botsession/webhook';
import type twilio from 'twilio';
import { refOfAddresses } from './map.js';
import { requestRefFor } from './request-scope.js';

/** The addresses of a message the bot sent: `to` is the user, `from` your number or sender. */
export interface OutboundMessage {
  to: string;
  from?: string | null;
}

/**
 * Counts a message the bot sent (through the REST API, a queue, another service) as an
 * outbound interaction of the conversation `to` ↔ `from`. Sent while a `botSession` route
 * handles the user's message, to that user, it counts in that message's conversation (which
 * on WhatsApp is keyed by the business-scoped user id, not the phone number the bot sends to).
 * `conversation` (`refOf(req.twilioMessage!)`) names the conversation explicitly, for a send
 * made later. Resolves to its stamp, or undefined when the store is down (the tracker emitted
 * `error`) or the sender is unknown (a warning).
 *
 * @example
 * const sent = await client.messages.create({ from: '+15005550006', to: '+14155550100', body: 'Hi' });
 * await trackOutbound(tracker, sent);
 */
export async function trackOutbound(
  tracker: SessionTracker,
  message: OutboundMessage,
  conversation?: ConversationRef,
): Promise<SessionStamp | undefined> {
  if (typeof message?.to !== 'string' || message.to === '') {
    throw new TypeError(`message.to must be the user's address, got ${JSON.stringify(message?.to)}`);
  }
  if (conversation !== undefined) {
    return trackOrUndefined(tracker, conversation, 'outbound', (error) =>
      console.error('[botsession/twilio] tracking a sent message failed:', error),
    );
  }
  if (typeof message.from !== 'string' || message.from === '') {
    // A Messaging Service send picks its sender later; without it the conversation is unknown.
    process.emitWarning(
      `botsession: the message to ${message.to} names no from address, so it is not tracked (pass from)`,
    );
    return undefined;
  }
  const ref = requestRefFor(message.to, message.from) ?? refOfAddresses(message.to, message.from);
  return trackOrUndefined(tracker, ref, 'outbound', (error) =>
    console.error('[botsession/twilio] tracking a sent message failed:', error),
  );
}

type MessageList = twilio.Twilio['messages'];
type CreateParams = Parameters<MessageList['create']>[0];
type Created = Awaited<ReturnType<MessageList['create']>>;
type CreateCallback = (error: Error | null, item?: Created) => unknown;

/**
 * The same Twilio client, except that every message sent with `client.messages.create()` is
 * tracked as the bot's (outbound) once Twilio accepted it; a send that fails is not an
 * interaction. The client itself is not modified.
 *
 * @example
 * const client = trackedClient(twilio(accountSid, authToken), tracker);
 * await client.messages.create({ from: 'whatsapp:+15005550006', to: 'whatsapp:+14155550100', body: 'Hi' });
 */
export function trackedClient<C extends twilio.Twilio>(client: C, tracker: SessionTracker): C {
  if (typeof tracker?.track !== 'function') {
    throw new TypeError(
      `tracker must be a session tracker from createSessionTracker(), got ${String(tracker)}`,
    );
  }
  const messages = new Proxy(client.messages, {
    get(target, property, receiver) {
      if (property !== 'create') return Reflect.get(target, property, receiver);
      return (params: CreateParams, callback?: CreateCallback) => {
        const sent = target.create(params).then(async (message) => {
          await trackOutbound(tracker, { to: params.to ?? message.to, from: params.from ?? message.from });
          return message;
        });
        // The callback style of the SDK itself (Version.setPromiseCallback).
        if (typeof callback === 'function') return sent.then((message) => callback(null, message), callback);
        return sent;
      };
    },
  });
  return new Proxy(client, {
    get(target, property, receiver) {
      return property === 'messages' ? messages : Reflect.get(target, property, receiver);
    },
  });
}
