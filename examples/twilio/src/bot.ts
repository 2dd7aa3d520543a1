import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { botSession, refOf, trackedClient } from '@botsession/twilio';
import express from 'express';
import twilio from 'twilio';

export interface BotOptions {
  /** Signs every webhook; the Twilio Console shows it beside the Account SID. */
  authToken: string;
  /** The URL configured on the number ("A message comes in"), exactly. Omit for local tests. */
  publicUrl?: string;
  /** A REST client for messages sent outside a webhook reply (optional). */
  client?: twilio.Twilio;
}

/**
 * A small bakery bot: answers with TwiML (each <Message> is counted as the bot's), hands the
 * conversation to a human on "agent", and sends a proactive follow-up through the REST API
 * on "remind me" (counted too, through trackedClient).
 */
export function createBot(tracker: SessionTracker, options: BotOptions): express.Express {
  const client = options.client ? trackedClient(options.client, tracker) : undefined;
  const app = express();
  app.post(
    '/twilio/messages',
    botSession(tracker, { authToken: options.authToken, url: options.publicUrl }),
    async (req, res) => {
      const message = req.twilioMessage!;
      const twiml = new twilio.twiml.MessagingResponse();
      const text = (message.Body ?? '').trim().toLowerCase();

      if (message.MessageStatus !== undefined) {
        res.sendStatus(204); // a delivery report: nothing to answer
        return;
      }
      if (text === 'agent') {
        await unlessStoreDown(tracker.handoff(refOf(message)));
        twiml.message('A person from the bakery will answer you here shortly.');
      } else if (text === 'remind me' && client) {
        await client.messages.create({
          from: message.To!,
          to: message.From!,
          body: 'Reminder: we close at 6 pm.',
        });
        twiml.message('Done, a reminder is on its way.');
      } else {
        const stamp = req.botSession;
        twiml.message(
          stamp?.isNew
            ? 'Hi! This is the bakery bot. Ask me anything, or write "agent".'
            : `Got it (message ${stamp?.session.userMessages ?? '?'} of this conversation).`,
        );
      }
      res.type('text/xml').send(twiml.toString());
    },
  );
  return app;
}
