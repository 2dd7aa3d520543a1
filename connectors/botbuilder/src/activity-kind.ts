import type { Activity } from 'botbuilder';

/**
 * What an activity means to botsession. Only messages are interactions; system activities
 * (conversationUpdate, typing, installationUpdate, …) pass through uncounted.
 */
export type ActivityKind = 'interaction' | 'close' | 'handoff' | 'other';

// Literal names rather than botbuilder's enums: the values are the wire protocol.
// https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md
const INITIATE_HANDOFF = 'handoff.initiate';
const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/** An activity the user sent to the bot. */
export function inboundKind(activity: Partial<Activity>): ActivityKind {
  switch (activity.type) {
    // Text, attachments, and imBack/postBack/messageBack buttons all arrive as messages.
    case 'message':
      return 'interaction';
    // An Adaptive Card Universal Action (Action.Execute) is a button press delivered as an invoke.
    case 'invoke':
      return activity.name === ADAPTIVE_CARD_ACTION ? 'interaction' : 'other';
    // Web Chat / Direct Line send it when the user closes the conversation.
    case 'endOfConversation':
      return 'close';
    default:
      return 'other';
  }
}

/** An activity the bot sends. */
export function outboundKind(activity: Partial<Activity>): ActivityKind {
  if (activity.type === 'message') return 'interaction';
  // EventFactory.createHandoffInitiation() builds exactly this event.
  if (activity.type === 'event' && activity.name === INITIATE_HANDOFF) return 'handoff';
  return 'other';
}
