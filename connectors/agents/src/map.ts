import type { ConversationRef } from '@botsession/core';
import type { Activity } from '@microsoft/agents-activity';
import type { TurnContext } from '@microsoft/agents-hosting';
import { type ChannelMap, channelOf } from './channel.js';

/** Where the middleware leaves the turn's ref, so `refOf(context)` honours `options.channels`. */
export const REF_KEY = Symbol.for('botsession.agents.ref');

/**
 * The conversation an activity belongs to: `conversation.id` on the mapped channel, the
 * sender `from.id` as the user. Undefined when the activity has no channel or conversation
 * (nothing to track). A Teams channel thread (`…;messageid=…`) is its own conversation.
 */
export function refOfActivity(activity: Partial<Activity>, map?: ChannelMap): ConversationRef | undefined {
  const channelId = activity.channelId;
  const conversationId = activity.conversation?.id;
  if (typeof channelId !== 'string' || channelId === '') return undefined;
  if (typeof conversationId !== 'string' || conversationId === '') return undefined;
  const ref: ConversationRef = { channel: channelOf(channelId, map), conversationId };
  const userId = activity.from?.id;
  if (typeof userId === 'string' && userId !== '') ref.userId = userId;
  return ref;
}

/**
 * The `ConversationRef` of a turn (or of an activity), for any tracker call.
 *
 * @example
 * agent.onMessage('/agent', async (context) => {
 *   await tracker.handoff(refOf(context));
 * });
 *
 * @throws TypeError naming the field when the activity has no channelId or conversation id.
 */
export function refOf(contextOrActivity: TurnContext | Partial<Activity>): ConversationRef {
  if (isTurnContext(contextOrActivity)) {
    const kept = contextOrActivity.turnState.get(REF_KEY) as ConversationRef | undefined;
    if (kept !== undefined) return kept;
    return mustRef(contextOrActivity.activity);
  }
  return mustRef(contextOrActivity);
}

function mustRef(activity: Partial<Activity>): ConversationRef {
  const ref = refOfActivity(activity);
  if (ref === undefined) {
    throw new TypeError(
      `activity.channelId and activity.conversation.id must be non-empty strings, got ${JSON.stringify(
        activity.channelId,
      )} and ${JSON.stringify(activity.conversation?.id)}`,
    );
  }
  return ref;
}

function isTurnContext(value: TurnContext | Partial<Activity>): value is TurnContext {
  return typeof value === 'object' && value !== null && 'turnState' in value && 'activity' in value;
}
