import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { refOf, twitterWebhook } from '@botsession/twitter';

export interface TwitterBotOptions {
  consumerSecret: string;
  /** OAuth 2.0 user access token of the bot account (scope dm.write); without it, replies are only logged. */
  accessToken?: string;
  /** Where X's API lives; tests point it at a local server. */
  apiBaseUrl?: string;
  tracker?: SessionTracker;
  log?: (line: string) => void;
}

/**
 * An echo bot: answers each DM with its session, and hands over to a human on "agent".
 * Its own replies need no tracking call: X echoes every DM the account sends back to the
 * webhook, where the connector counts it as the bot's (outbound) message.
 */
export function createTwitterBot(options: TwitterBotOptions) {
  const { consumerSecret, accessToken, apiBaseUrl = 'https://api.x.com', log = console.log } = options;
  const tracker = options.tracker ?? createSessionTracker();
  tracker.on('sessionStart', (s) => log(`session ${s.id} started (${s.conversationId})`));
  tracker.on('sessionEnd', (s) => log(`session ${s.id} ended: ${s.endReason}`));
  tracker.on('error', (error) => log(`tracking error: ${error.message}`));

  async function sendDm(userId: string, text: string): Promise<void> {
    if (accessToken === undefined) {
      log(`(no TWITTER_ACCESS_TOKEN) would send to ${userId}: ${text}`);
      return;
    }
    const response = await fetch(`${apiBaseUrl}/2/dm_conversations/with/${userId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    if (!response.ok) throw new Error(`X API answered ${response.status} to a DM send`);
  }

  const handler = twitterWebhook({
    tracker,
    consumerSecret,
    onMessage: async (message, stamp) => {
      if (message.text.trim().toLowerCase() === 'agent') {
        await sendDm(message.userId, 'A human agent will take over from here.');
        await tracker.handoff(refOf(message));
        return;
      }
      const session = stamp === undefined ? 'not tracked' : `${stamp.sessionId}${stamp.isNew ? ', new' : ''}`;
      await sendDm(message.userId, `You said "${message.text}" (session ${session})`);
    },
  });
  return { handler, tracker };
}
