/**
 * What Telegram's updates mean, shared by the Telegram connectors (telegraf and grammY read
 * the same Bot API payloads through different SDKs): which updates are a user's interaction.
 * Typed structurally, so that neither SDK's types are needed here.
 * Update shapes: https://core.telegram.org/bots/api#update
 */

/** The channel id of Telegram in botsession's policies. */
export const TELEGRAM_CHANNEL = 'telegram';

/**
 * Service messages arrive as `message` updates but record something that happened to the chat
 * (someone joined, a title changed, a pin), not something the user said to the bot.
 * https://core.telegram.org/bots/api#message (the fields after `reply_markup`)
 */
const SERVICE_FIELDS: readonly string[] = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'write_access_allowed',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
];

/**
 * True when the update is a user's message to the bot: a `message` with content (text, photo,
 * document, voice, sticker, location, …) or a `callback_query` (an inline button press under a
 * message in a chat). Edits, channel posts, chat member changes, reactions, inline queries and
 * polls are not.
 */
export function isTelegramInteraction(update: object): boolean {
  const { message, callback_query: callbackQuery } = update as {
    message?: object;
    callback_query?: { message?: unknown };
  };
  if (message !== undefined) return !SERVICE_FIELDS.some((field) => field in message);
  if (callbackQuery !== undefined) return callbackQuery.message !== undefined;
  return false;
}

/**
 * The delivery id of an update: its `update_id`. A webhook update that got no 2xx is sent again
 * with the same id (and polling returns it again until it is confirmed), so core counts it once.
 * https://core.telegram.org/bots/api#getting-updates
 */
export function telegramDeliveryId(update: { update_id?: unknown }): string | undefined {
  return typeof update.update_id === 'number' ? String(update.update_id) : undefined;
}
