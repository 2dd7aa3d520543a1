import type { ConversationRef } from '@botsession/core';

/** The channel id of help-center sessions; core's `help` policy applies (5 min of inactivity). */
export const HELP_CHANNEL = 'help';

/** Where a help-center event comes from: the tab that sent it, and the user when the site knows one. */
export interface HelpSource {
  tabId: string;
  userId?: string;
}

/**
 * The conversation of a help-center tab: sessions are per tab, so the tab id is the conversation id.
 *
 * @example
 * await tracker.end(refOf({ tabId }), 'manual');
 */
export function refOf(source: HelpSource): ConversationRef {
  const ref: ConversationRef = { channel: HELP_CHANNEL, conversationId: source.tabId };
  if (source.userId !== undefined) ref.userId = source.userId;
  return ref;
}
