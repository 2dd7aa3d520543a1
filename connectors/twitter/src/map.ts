import type { ConversationRef, Direction } from '@botsession/core';
import { WebhookHttpError } from '@botsession/webhook';

/** The channel id of X/Twitter direct messages (24 h inactivity by default). */
export const TWITTER_CHANNEL = 'twitter';

/**
 * A `message_create` event of `direct_message_events`, as X documents it:
 * https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
 */
export interface DirectMessageEvent {
  type: 'message_create';
  id?: string;
  /** Epoch milliseconds, as a string. */
  created_timestamp?: string;
  message_create: {
    target: { recipient_id: string };
    sender_id: string;
    source_app_id?: string;
    message_data: { text?: string; [field: string]: unknown };
  };
  [field: string]: unknown;
}

/** A user object from the payload's `users` map (only the fields used here are typed). */
export interface TwitterUser {
  id: string;
  name?: string;
  screen_name?: string;
  [field: string]: unknown;
}

/** One direct message a user sent to the subscribed account: what `onMessage` receives. */
export interface TwitterDirectMessage {
  /** The subscribed account (`for_user_id`): the bot. */
  forUserId: string;
  /** The user on the other side of the conversation. */
  userId: string;
  text: string;
  /** The user's object from the payload's `users` map, when X included it. */
  user?: TwitterUser;
  /** The event exactly as X sent it. */
  event: DirectMessageEvent;
}

/** A direct message of a delivery, with who sent it relative to the subscribed account. */
export interface DeliveredMessage {
  direction: Direction;
  message: TwitterDirectMessage;
}

/**
 * The conversation of a direct message: channel `twitter`, conversation `${forUserId}:${userId}`
 * (the subscribed account first, so each subscribed account has its own sessions even when
 * two of them write to each other), user = the other side.
 */
export function refOf(message: Pick<TwitterDirectMessage, 'forUserId' | 'userId'>): ConversationRef {
  return {
    channel: TWITTER_CHANNEL,
    conversationId: `${message.forUserId}:${message.userId}`,
    userId: message.userId,
  };
}

/**
 * The direct messages of an Account Activity delivery, in order. A message the subscribed
 * account sent (`sender_id === for_user_id`: the bot's own reply, echoed back by X, or a
 * human typing in the account's app) is outbound. Every other event kind (tweets, likes,
 * follows, typing and read indicators) is not an interaction and yields nothing.
 * The whole delivery is checked before anything is tracked, so a malformed one touches nothing.
 */
export function directMessagesOf(payload: unknown): DeliveredMessage[] {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new WebhookHttpError(400, 'the delivery must be a JSON object');
  }
  const body = payload as Record<string, unknown>;
  const events = body.direct_message_events;
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw bad('direct_message_events', 'an array', events);
  const forUserId = body.for_user_id;
  if (typeof forUserId !== 'string' || forUserId === '')
    throw bad('for_user_id', 'a user id string', forUserId);
  const users = isRecord(body.users) ? body.users : {};
  const out: DeliveredMessage[] = [];
  events.forEach((event: unknown, index) => {
    const at = `direct_message_events[${index}]`;
    if (!isRecord(event)) throw bad(at, 'an object', event);
    if (event.type !== 'message_create') return; // other DM event kinds are not messages
    const create = event.message_create;
    if (!isRecord(create)) throw bad(`${at}.message_create`, 'an object', create);
    const senderId = create.sender_id;
    if (typeof senderId !== 'string' || senderId === '') {
      throw bad(`${at}.message_create.sender_id`, 'a user id string', senderId);
    }
    const recipientId = isRecord(create.target) ? create.target.recipient_id : undefined;
    if (typeof recipientId !== 'string' || recipientId === '') {
      throw bad(`${at}.message_create.target.recipient_id`, 'a user id string', recipientId);
    }
    const data = create.message_data;
    if (!isRecord(data)) throw bad(`${at}.message_create.message_data`, 'an object', data);
    // A DM with only media may carry no text: it is still an interaction.
    const text = data.text ?? '';
    if (typeof text !== 'string') throw bad(`${at}.message_create.message_data.text`, 'a string', text);
    const direction: Direction = senderId === forUserId ? 'outbound' : 'inbound';
    const userId = direction === 'outbound' ? recipientId : senderId;
    // Own keys only: a user id like `__proto__` must not pick up Object.prototype.
    const user = Object.hasOwn(users, userId) ? users[userId] : undefined;
    out.push({
      direction,
      message: {
        forUserId,
        userId,
        text,
        ...(isRecord(user) ? { user: user as TwitterUser } : {}),
        event: event as DirectMessageEvent,
      },
    });
  });
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(field: string, expected: string, got: unknown): WebhookHttpError {
  const shown = got === undefined ? 'nothing' : (JSON.stringify(got)?.slice(0, 40) ?? String(got));
  return new WebhookHttpError(400, `${field} must be ${expected}, got ${shown}`);
}
