/**
 * LINE webhook event → conversation. Which events are a user's interaction, and which chat they
 * belong to. No rule lives here: only what LINE's payloads mean.
 * https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects
 */
import type { ConversationRef } from '@botsession/core';
import type { webhook } from '@line/bot-sdk';

/** The channel id of LINE in botsession's policies. */
export const LINE_CHANNEL = 'line';

/**
 * True when the event is something the user said or pressed: a `message` (text, image, video,
 * audio, file, location, sticker) or a `postback` (a button, a quick reply, a rich menu tap, a
 * date picker). Follow/unfollow, join/leave, member changes, unsend, beacon, video-play,
 * account-link and the rest are not. An event in `standby` mode (another module channel has
 * the chat, e.g. a human agent) is not the bot's conversation and counts nothing.
 */
export function isInteraction(event: webhook.Event): boolean {
  if (event.mode === 'standby') return false;
  return event.type === 'message' || event.type === 'postback';
}

/**
 * The conversation of an event's source: the user's id for a one-on-one chat, the group's or
 * the room's id for a group chat or a multi-person chat, with the sender (when LINE gives one)
 * as the user. Undefined when the event has no usable source (module and delivery events).
 * https://developers.line.biz/en/reference/messaging-api/#source-user
 */
export function findRef(
  event: { source?: unknown },
  channel: string = LINE_CHANNEL,
): ConversationRef | undefined {
  const source = event.source;
  if (typeof source !== 'object' || source === null) return undefined;
  const { type, userId, groupId, roomId } = source as Record<string, unknown>;
  const conversationId =
    type === 'user' ? userId : type === 'group' ? groupId : type === 'room' ? roomId : undefined;
  if (!isId(conversationId)) return undefined;
  const ref: ConversationRef = { channel, conversationId };
  if (isId(userId)) ref.userId = userId;
  return ref;
}

/**
 * The conversation of a LINE webhook event: channel `line` (or the webhook's `channel`),
 * conversation = the user, group or room id, user = the sender. Use it to call the tracker.
 *
 * @example
 * if (event.type === 'postback' && event.postback.data === 'agent') await tracker.handoff(refOf(event));
 *
 * @throws TypeError when the event has no user, group or room source.
 */
export function refOf(event: webhook.Event, channel: string = LINE_CHANNEL): ConversationRef {
  const ref = findRef(event, channel);
  if (ref === undefined) {
    throw new TypeError(
      `refOf(event): a ${JSON.stringify(event?.type)} event without a user, group or room source belongs to no conversation`,
    );
  }
  return ref;
}

/**
 * The conversation a message is pushed to: `to` is a user (`U…`), group (`C…`) or room (`R…`)
 * id, the same ids webhook sources carry. A user id is also the conversation's user.
 * https://developers.line.biz/en/reference/messaging-api/#send-push-message
 */
export function refOfRecipient(to: string, channel: string): ConversationRef {
  const ref: ConversationRef = { channel, conversationId: to };
  if (to.startsWith('U')) ref.userId = to;
  return ref;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
