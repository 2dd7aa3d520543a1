import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { type BotSessionContext, botSession, refOf } from '@botsession/slack';
import { App, type AppOptions } from '@slack/bolt';

export interface BotOptions {
  token: string;
  signingSecret: string;
  tracker: SessionTracker;
  /** Passed to Bolt as is (port, logger, clientOptions, processBeforeResponse, …). */
  bolt?: Omit<AppOptions, 'token' | 'signingSecret'>;
}

const TALK_TO_HUMAN = 'talk_to_human';

/**
 * The example bot: answers every message with its session, offers a "Talk to a human" button whose
 * click hands the conversation off (which ends the session), and answers mentions in a thread.
 */
export function createBot({ token, signingSecret, tracker, bolt }: BotOptions): App<BotSessionContext> {
  const app = new App<BotSessionContext>({ ...bolt, token, signingSecret });
  // Told like the App: with processBeforeResponse a failed attempt is retried by Slack (see the README).
  app.use(botSession(tracker, { processBeforeResponse: bolt?.processBeforeResponse === true }));

  app.message(async ({ context, say }) => {
    const stamp = context.botSession;
    const text = stamp
      ? `Session ${stamp.sessionId}${stamp.isNew ? ' (new)' : ''}: message ${stamp.session.userMessages}.`
      : 'Session tracking is unavailable right now, but I am still here.';
    await say({
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: TALK_TO_HUMAN,
              text: { type: 'plain_text', text: 'Talk to a human' },
            },
          ],
        },
      ],
    });
  });

  app.event('app_mention', async ({ event, client }) => {
    // A reply in the mention's thread: the thread is its own conversation, so its own session.
    await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'Let us talk here.' });
  });

  app.action({ type: 'block_actions', action_id: TALK_TO_HUMAN }, async (args) => {
    await args.ack();
    await args.say('A human agent will take it from here.');
    await unlessStoreDown(tracker.handoff(refOf(args)));
  });

  return app;
}
