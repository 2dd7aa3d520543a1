import { createSessionTracker, type SessionTracker, unlessStoreDown } from '@botsession/core';
import { refOf, trackSent, twitterWebhook } from '@botsession/twitter';

export interface TwitterBotOptions {
  /** The X app's OAuth 2.0 client secret (X-Twitter-Webhooks-Signature-OAuth2). */
  clientSecret?: string;
  /** The X app's OAuth 1.0a API secret key (the legacy X-Twitter-Webhooks-Signature). */
  consumerSecret?: string;
  /** OAuth 2.0 user access token of the bot account (scope dm.write); without it, replies are only logged. */
  accessToken?: string;
  /** Where X's API lives; tests point it at a local server. */
  apiBaseUrl?: string;
  tracker?: SessionTracker;
  log?: (line: string) => void;
}

/**
 * An echo bot: answers each DM with its session, and hands over to a human on "agent".
 * Each reply is counted when it is sent, under the `dm_event_id` X returns; when X delivers the
 * account's own DM back to the webhook, the connector recognises that id and counts nothing, so
 * the goodbye before a handoff opens no session when it comes back after the handoff.
 */
export function createTwitterBot(options: TwitterBotOptions) {
  const { accessToken, apiBaseUrl = 'https://api.x.com', log = console.log } = options;
  const tracker = options.tracker ?? createSessionTracker();
  tracker.on('sessionStart', (s) => log(`session ${s.id} started (${s.conversationId})`));
  tracker.on('sessionEnd', (s) => log(`session ${s.id} ended: ${s.endReason}`));
  tracker.on('error', (error) => log(`tracking error: ${error.message}`));

  /** Sends a DM; resolves to its `dm_event_id` (undefined when only logged). */
  async function sendDm(userId: string, text: string): Promise<string | undefined> {
    if (accessToken === undefined) {
      log(`(no TWITTER_ACCESS_TOKEN) would send to ${userId}: ${text}`);
      return undefined;
    }
    const response = await fetch(`${apiBaseUrl}/2/dm_conversations/with/${userId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    if (!response.ok) throw new Error(`X API answered ${response.status} to a DM send`);
    const sent = (await response.json()) as { data?: { dm_event_id?: string } };
    return sent.data?.dm_event_id;
  }

  const handler = twitterWebhook({
    tracker,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(options.consumerSecret === undefined ? {} : { consumerSecret: options.consumerSecret }),
    onMessage: async (message, stamp) => {
      const reply = async (text: string) => {
        const dmEventId = await sendDm(message.userId, text);
        if (dmEventId !== undefined)
          await trackSent(tracker, message, stamp, dmEventId).catch(() => undefined);
      };
      if (message.text.trim().toLowerCase() === 'agent') {
        await reply('A human agent will take over from here.');
        await unlessStoreDown(tracker.handoff(refOf(message)));
        return;
      }
      const session = stamp === undefined ? 'not tracked' : `${stamp.sessionId}${stamp.isNew ? ', new' : ''}`;
      await reply(`You said "${message.text}" (session ${session})`);
    },
  });
  return { handler, tracker };
}
