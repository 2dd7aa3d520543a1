import type { Activity } from '@microsoft/agents-activity';

/**
 * What an activity means to botsession. Only what a user says or presses is an interaction;
 * system activities (conversationUpdate, typing, installationUpdate, messageReaction, …) pass
 * through uncounted.
 */
export type ActivityKind = 'interaction' | 'close' | 'handoff' | 'other';

// Literal names rather than the SDK's enums: the values are the wire protocol.
// https://github.com/microsoft/Agents/blob/main/specs/activity/protocol-activity.md
const INITIATE_HANDOFF = 'handoff.initiate';

/**
 * Invokes that carry a user's button press or form submission rather than a query the client
 * makes on its own: an Adaptive Card Universal Action (Action.Execute), and a Teams dialog
 * (task module) opened or submitted from a button.
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/task-modules/task-modules-bots
 */
const USER_INVOKES: ReadonlySet<string> = new Set(['adaptiveCard/action', 'task/fetch', 'task/submit']);

/** An activity the user sent to the agent. */
export function inboundKind(activity: Partial<Activity>): ActivityKind {
  switch (activity.type) {
    // Text, attachments, and imBack/postBack/messageBack/Action.Submit buttons all arrive as messages.
    case 'message':
      return 'interaction';
    case 'invoke':
      return typeof activity.name === 'string' && USER_INVOKES.has(activity.name) ? 'interaction' : 'other';
    // Web Chat / Direct Line send it when the user closes the conversation.
    case 'endOfConversation':
      return 'close';
    default:
      return 'other';
  }
}

/** An activity the agent sends. */
export function outboundKind(activity: Partial<Activity>): ActivityKind {
  if (activity.type === 'message') return 'interaction';
  // The handoff protocol's event (what botbuilder's EventFactory.createHandoffInitiation built),
  // and the protocol's own `handoff` activity type.
  if (activity.type === 'event' && activity.name === INITIATE_HANDOFF) return 'handoff';
  if (activity.type === 'handoff') return 'handoff';
  return 'other';
}
