import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { refOf, type WebMessageHandler } from '@botsession/web';

/**
 * A help-desk bot whose conversations end every way the dashboard charts: "human" hands off,
 * "rate N" answers the satisfaction survey (1-5 stars → a 0-100 score), "bye" sends the survey.
 */
export function helpDeskBot(tracker: SessionTracker): WebMessageHandler {
  return async (text, ctx) => {
    const said = text.trim().toLowerCase();
    if (said.includes('human')) {
      await ctx.send('Connecting you to a person…');
      await unlessStoreDown(tracker.handoff(refOf(ctx)));
      return;
    }
    if (said === 'bye') {
      await ctx.send('Thanks! How did we do? Reply "rate 1" to "rate 5".');
      await unlessStoreDown(tracker.surveySent(refOf(ctx)));
      return;
    }
    const rating = /^rate ([1-5])$/.exec(said);
    if (rating !== null) {
      await ctx.send('Thank you for the rating.');
      await unlessStoreDown(tracker.surveyAnswered(refOf(ctx), { score: (Number(rating[1]) - 1) * 25 }));
      return;
    }
    return `You said: ${text} (try "human", "bye", then "rate 5")`;
  };
}
