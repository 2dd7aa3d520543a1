import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { type MessageReply, messagingApi } from '@botsession/messaging-api';

export interface SupportBotOptions {
  apiKeys: string[];
  tracker?: SessionTracker;
  log?: (line: string) => void;
}

/**
 * A small support bot: answers parcel questions, sends a survey on "bye" and hands over to
 * a human on "agent". Follow-ups go in `after`, so the goodbye counts in the session it
 * closes instead of opening a new one.
 */
export function createSupportBot(options: SupportBotOptions) {
  const { apiKeys, log = console.log } = options;
  const tracker = options.tracker ?? createSessionTracker();
  tracker.on('sessionStart', (s) => log(`session ${s.id} started (${s.conversationId})`));
  tracker.on('sessionEnd', (s) => log(`session ${s.id} ended: ${s.endReason}`));
  tracker.on('error', (error) => log(`tracking error: ${error.message}`));

  const handler = messagingApi({
    tracker,
    apiKeys,
    onMessage: ({ text }, stamp): MessageReply => {
      const words = text.trim().toLowerCase();
      if (words === 'agent') return { replies: ['Connecting you to a human agent.'], after: 'handoff' };
      if (words === 'bye') return { replies: ['Thanks! How did we do, from 1 to 5?'], after: 'surveySent' };
      const greeting = stamp?.isNew ? 'Hello! ' : '';
      if (words.includes('parcel')) return `${greeting}Parcels arrive within 3 working days.`;
      return `${greeting}Ask me about your parcel, say "agent" for a human or "bye" to finish.`;
    },
  });
  return { handler, tracker };
}
