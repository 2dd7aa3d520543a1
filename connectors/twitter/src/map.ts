import type { ConversationRef, Direction } from '@botsession/core';
import { WebhookHttpError } from '@botsession/webhook';

/** The channel id of X/Twitter direct messages (24 h inactivity by default). */
export const TWITTER_CHANNEL = 'twitter';

/**
 * A `message_create` event of `direct_message_events`, as X documents it for the Account
 * Activity API and, unchanged inside the `dm.received` / `dm.sent` payload, for the X Activity API:
 * https://docs.x.com/x-api/account-activity/introduction#account-activity-data-object-structure
 * https://docs.x.com/x-api/activity/event-payloads#dm-received
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

/**
 * A user object from the payload's `users` map (only the fields used here are typed): v1.1
 * style (`screen_name`) from the Account Activity API, v2 style (`username`) from the X
 * Activity API, whose `users` entries wrap it in `{ data }` (unwrapped here).
 */
export interface TwitterUser {
  id: string;
  name?: string;
  screen_name?: string;
  username?: string;
  [field: string]: unknown;
}

/** Which X API delivered a direct message. */
export type TwitterApi = 'account-activity' | 'x-activity';

/** One direct message a user sent to the subscribed account: what `onMessage` receives. */
export interface TwitterDirectMessage {
  /** The subscribed account (`for_user_id`): the bot. */
  forUserId: string;
  /** The user on the other side of the conversation. */
  userId: string;
  text: string;
  /** The user's object from the payload's `users` map, when X included it. */
  user?: TwitterUser;
  /** The `message_create` event exactly as X sent it. */
  event: DirectMessageEvent;
  /**
   * The API that delivered it: the Account Activity API (deprecated by X, end of life
   * 2027-01-01) or the X Activity API (`dm.received` / `dm.sent` events).
   */
  api: TwitterApi;
}

/** A direct message of a delivery, with who sent it relative to the subscribed account. */
export interface DeliveredMessage {
  direction: Direction;
  message: TwitterDirectMessage;
  /**
   * X's id for the message (`direct_message_events[].id`, the `dm_event_id` the send endpoint
   * returns), else the X Activity API's `event_uuid`: the delivery id a redelivery repeats.
   */
  deliveryId?: string;
}

/** X Activity API event types that carry direct messages; every other type is not one. */
const ACTIVITY_DM_EVENTS = new Set(['dm.received', 'dm.sent']);

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
 * The direct messages of a delivery, in order, from either API X delivers DMs through:
 * - Account Activity API: `{ for_user_id, direct_message_events: [...], users: {...} }`;
 * - X Activity API: `{ data: { event_uuid, event_type: 'dm.received' | 'dm.sent',
 *   filter: { user_id }, payload: { direct_message_events: [...], users: {...} } } }`.
 * A message the subscribed account sent (`sender_id` is the account: the bot's own reply, echoed
 * back by X, or a human typing in the account's app) is outbound. Every other event kind
 * (tweets, likes, follows, typing and read indicators, profile updates, encrypted X Chat
 * `chat.*` events) is not an interaction and yields nothing.
 * The whole delivery is checked before anything is tracked, so a malformed one touches nothing.
 */
export function directMessagesOf(payload: unknown): DeliveredMessage[] {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new WebhookHttpError(400, 'the delivery must be a JSON object');
  }
  const body = payload as Record<string, unknown>;
  if (body.data !== undefined && body.for_user_id === undefined) {
    // One event per delivery as documented; a list of them is read the same way, in order.
    return Array.isArray(body.data)
      ? body.data.flatMap((event, index) => activityMessagesOf(event, `data[${index}]`))
      : activityMessagesOf(body.data, 'data');
  }
  const events = body.direct_message_events;
  if (events === undefined) return [];
  const forUserId = body.for_user_id;
  if (typeof forUserId !== 'string' || forUserId === '')
    throw bad('for_user_id', 'a user id string', forUserId);
  return messagesOf(events, '', forUserId, body.users, 'account-activity', undefined);
}

/** One X Activity API event (`data`): its DMs when it is `dm.received` or `dm.sent`. */
function activityMessagesOf(data: unknown, at: string): DeliveredMessage[] {
  if (!isRecord(data)) throw bad(at, 'an event object', data);
  if (typeof data.event_type !== 'string') throw bad(`${at}.event_type`, 'a string', data.event_type);
  if (!ACTIVITY_DM_EVENTS.has(data.event_type)) return [];
  const forUserId = isRecord(data.filter) ? data.filter.user_id : undefined;
  if (typeof forUserId !== 'string' || forUserId === '')
    throw bad(`${at}.filter.user_id`, 'a user id string', forUserId);
  const payload = data.payload;
  if (!isRecord(payload)) throw bad(`${at}.payload`, 'an object', payload);
  const eventUuid =
    typeof data.event_uuid === 'string' && data.event_uuid !== '' ? data.event_uuid : undefined;
  return messagesOf(
    payload.direct_message_events ?? [],
    `${at}.payload.`,
    forUserId,
    payload.users,
    'x-activity',
    eventUuid,
  );
}

function messagesOf(
  events: unknown,
  path: string,
  forUserId: string,
  usersValue: unknown,
  api: TwitterApi,
  eventUuid: string | undefined,
): DeliveredMessage[] {
  if (!Array.isArray(events)) throw bad(`${path}direct_message_events`, 'an array', events);
  const users = isRecord(usersValue) ? usersValue : {};
  const out: DeliveredMessage[] = [];
  events.forEach((event: unknown, index) => {
    const at = `${path}direct_message_events[${index}]`;
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
    const user = userOf(users, userId);
    const id = typeof event.id === 'string' && event.id !== '' ? event.id : undefined;
    const delivered: DeliveredMessage = {
      direction,
      message: {
        forUserId,
        userId,
        text,
        ...(user === undefined ? {} : { user }),
        event: event as DirectMessageEvent,
        api,
      },
    };
    const deliveryId = id ?? eventUuid;
    if (deliveryId !== undefined) delivered.deliveryId = deliveryId;
    out.push(delivered);
  });
  return out;
}

/** A user of the `users` map; the X Activity API wraps each one in `{ data }`. */
function userOf(users: Record<string, unknown>, userId: string): TwitterUser | undefined {
  // Own keys only: a user id like `__proto__` must not pick up Object.prototype.
  const entry = Object.hasOwn(users, userId) ? users[userId] : undefined;
  if (!isRecord(entry)) return undefined;
  const user = isRecord(entry.data) && entry.id === undefined ? entry.data : entry;
  return user as TwitterUser;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(field: string, expected: string, got: unknown): WebhookHttpError {
  const shown = got === undefined ? 'nothing' : (JSON.stringify(got)?.slice(0, 40) ?? String(got));
  return new WebhookHttpError(400, `${field} must be ${expected}, got ${shown}`);
}
