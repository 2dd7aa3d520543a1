import { getSession, refOf } from '@botsession/botbuilder';
import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { ActivityHandler, EventFactory, MessageFactory } from 'botbuilder';

/**
 * A small support bot. Everything session-related it does is read `getSession(context)` and,
 * for the survey, call the tracker with `refOf(context)`; the middleware does the rest
 * (counting, stamping replies, handoff, close, interruption).
 */
export class SupportBot extends ActivityHandler {
  constructor(tracker: SessionTracker) {
    super();

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).filter(
        (m) => m.id !== context.activity.recipient.id,
      );
      // A welcome is a proactive bot message: it opens the session.
      if (joined.length > 0) await context.sendActivity('Hi! Ask me about an order, or type "help".');
      await next();
    });

    this.onMessage(async (context, next) => {
      const stamp = getSession(context);
      const text = (context.activity.text ?? '').trim().toLowerCase();
      if (text === 'agent') {
        await context.sendActivity('Connecting you to a person…');
        // The middleware sees this event go out and ends the session with `handoff`.
        await context.sendActivity(EventFactory.createHandoffInitiation(context, { queue: 'support' }));
      } else if (text === 'survey') {
        await unlessStoreDown(tracker.surveySent(refOf(context)));
        await context.sendActivity(
          MessageFactory.suggestedActions(['1', '2', '3', '4', '5'], 'How did we do?'),
        );
      } else if (/^[1-5]$/.test(text)) {
        // Thank first, so the thanks counts in the session the answer ends (sent after it, it
        // would still go out, stamped with the ended session, but not be counted).
        await context.sendActivity('Thanks for the feedback!');
        await unlessStoreDown(tracker.surveyAnswered(refOf(context)));
      } else if (text === 'crash') {
        // Stands in for a failing integration: the session ends `interrupted`.
        throw new Error('the orders API did not answer');
      } else if (text === 'help') {
        await context.sendActivity('Try: "agent", "survey", "crash", or anything else.');
      } else {
        const where = stamp === undefined ? 'no session (store down)' : `session ${stamp.sessionId}`;
        const fresh = stamp?.isNew ? ' (new)' : '';
        await context.sendActivity(`You said "${context.activity.text}" in ${where}${fresh}.`);
      }
      await next();
    });
  }
}
