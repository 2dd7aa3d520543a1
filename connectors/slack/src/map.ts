import type { ConversationRef } from '@botsession/core';

/** What one incoming Slack request means for session counting. */
export interface Incoming {
  /** The conversation the request belongs to; undefined when it has none (home tab, modal, shortcut). */
  ref: ConversationRef | undefined;
  /** True for a user's interaction: a message, a mention of the app, a button click. */
  interaction: boolean;
  /**
   * The delivery id core remembers, so one user message counts once. For a message it is the
   * message's `ts`, not the envelope's `event_id`: Slack's retries repeat the `event_id`, but an
   * app subscribed to both `message.*` and `app_mention` gets one message as two events with two
   * `event_id`s and the same `ts` (unique within the conversation), so `ts` catches both. A
   * click uses its `trigger_id`.
   */
  deliveryId?: string;
  /**
   * False for a `message` event that is not a user's (another bot's, an edit, a deletion, the
   * app's own): what the handler posts in answer counts only inside an active session and never
   * opens one, so a listener that fires on such events opens no bot-only session.
   */
  repliesOpenSessions: boolean;
}

/** The ids Bolt's authorize step puts on `context`, used to recognise the app's own messages. */
export interface AppIdentity {
  botUserId?: string;
  botId?: string;
}

/**
 * Message subtypes a person writes. Every other subtype is a system notice (channel_join, …), an edit or
 * a deletion (message_changed, message_deleted), or a bot (bot_message).
 * https://docs.slack.dev/reference/events/message#subtypes
 */
const USER_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'file_share',
  'thread_broadcast',
  'me_message',
]);

// biome-ignore lint/suspicious/noExplicitAny: Slack bodies are untyped JSON here; every read is checked
type Json = any;

/** Maps a request body (Events API, interactivity or slash command) to what it means for sessions. */
export function classify(body: Json, app: AppIdentity, channel: string): Incoming {
  if (!isObject(body)) return { ref: undefined, interaction: false, repliesOpenSessions: true };
  if (isObject(body.event)) return classifyEvent(body, app, channel);
  if (body.type === 'block_actions') {
    // A click in a conversation: the button sits on a message of a channel, DM or thread.
    // Clicks in the home tab or a modal carry no channel and belong to no conversation.
    const message = isObject(body.message) ? body.message : {};
    const container = isObject(body.container) ? body.container : {};
    const ref = refFrom(
      channel,
      str(body.channel?.id) ?? str(container.channel_id),
      str(message.thread_ts) ?? str(container.thread_ts),
      str(message.ts) ?? str(container.message_ts),
      str(body.user?.id),
    );
    const incoming: Incoming = { ref, interaction: ref !== undefined, repliesOpenSessions: true };
    const triggerId = str(body.trigger_id);
    if (triggerId !== undefined) incoming.deliveryId = triggerId;
    return incoming;
  }
  // Slash commands, shortcuts, view submissions: not interactions, but mapped so refOf() works.
  const ref = refFrom(
    channel,
    str(body.channel_id) ?? str(body.channel?.id),
    undefined,
    undefined,
    str(body.user_id) ?? str(body.user?.id),
  );
  return { ref, interaction: false, repliesOpenSessions: true };
}

function classifyEvent(body: Json, app: AppIdentity, channel: string): Incoming {
  const event = body.event;
  const channelId =
    str(event.channel) ?? str(event.channel?.id) ?? str(event.channel_id) ?? str(event.item?.channel);
  const userId = str(event.user) ?? str(event.user?.id) ?? str(event.user_id);
  const ts = str(event.ts);
  const ref = refFrom(channel, channelId, str(event.thread_ts), ts, userId);
  const interaction = ref !== undefined && ts !== undefined && isUserMessage(event, app);
  // A bot's message, an edit, a deletion: not the user's turn, so nothing to answer in a new session.
  const isMessageEvent = event.type === 'message' || event.type === 'app_mention';
  if (!interaction) return { ref, interaction: false, repliesOpenSessions: !isMessageEvent };
  return { ref, interaction: true, repliesOpenSessions: true, deliveryId: ts };
}

function isUserMessage(event: Json, app: AppIdentity): boolean {
  if (event.type !== 'message' && event.type !== 'app_mention') return false;
  if (event.type === 'message' && !USER_SUBTYPES.has(str(event.subtype))) return false;
  // Another app's message (bot_id) or the app's own (Bolt's ignoreSelf may be turned off).
  if (event.bot_id !== undefined) return false;
  const user = str(event.user);
  if (user === undefined) return false;
  return user !== app.botUserId;
}

/**
 * `channel` for a top-level message, `channel:thread_ts` for a message in a thread. A thread's parent
 * message carries `thread_ts === ts` once it has replies; it still lives in the channel.
 */
export function conversationIdOf(channelId: string, threadTs: string | undefined, ts?: string): string {
  return threadTs !== undefined && threadTs !== ts ? `${channelId}:${threadTs}` : channelId;
}

function refFrom(
  channel: string,
  channelId: string | undefined,
  threadTs: string | undefined,
  ts: string | undefined,
  userId: string | undefined,
): ConversationRef | undefined {
  if (channelId === undefined) return undefined;
  const ref: ConversationRef = { channel, conversationId: conversationIdOf(channelId, threadTs, ts) };
  if (userId !== undefined) ref.userId = userId;
  return ref;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}
