import { getSession, refOf } from '@botsession/agents';
import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { Activity, ActivityTypes } from '@microsoft/agents-activity';
import {
  AgentApplication,
  type CloudAdapter,
  MemoryStorage,
  MessageFactory,
  type TurnState,
} from '@microsoft/agents-hosting';

/**
 * A small support agent. Everything session-related it does is read `getSession(context)` and,
 * for the survey, call the tracker with `refOf(context)`; the middleware on the adapter does the
 * rest (counting, stamping replies, handoff, interruption).
 */
export function createAgent(adapter: CloudAdapter, tracker: SessionTracker): AgentApplication<TurnState> {
  const agent = new AgentApplication<TurnState>({ adapter, storage: new MemoryStorage() });

  agent.onConversationUpdate('membersAdded', async (context) => {
    const joined = (context.activity.membersAdded ?? []).filter(
      (member) => member.id !== context.activity.recipient?.id,
    );
    // A welcome is a proactive message: it opens the session.
    if (joined.length > 0) await context.sendActivity('Hi! Ask me about an order, or type "help".');
  });

  agent.onMessage(/^agent$/i, async (context) => {
    await context.sendActivity('Connecting you to a person…');
    // The handoff protocol's event: the middleware sees it go out and ends the session `handoff`.
    await context.sendActivity(
      Activity.fromObject({
        type: ActivityTypes.Event,
        name: 'handoff.initiate',
        value: { queue: 'support' },
      }),
    );
  });

  agent.onMessage(/^survey$/i, async (context) => {
    await unlessStoreDown(tracker.surveySent(refOf(context)));
    await context.sendActivity(MessageFactory.suggestedActions(['1', '2', '3', '4', '5'], 'How did we do?'));
  });

  agent.onMessage(/^[1-5]$/, async (context) => {
    // Thank first, so the thanks counts in the session the answer ends.
    await context.sendActivity('Thanks for the feedback!');
    await unlessStoreDown(
      tracker.surveyAnswered(refOf(context), { score: Number(context.activity.text) * 20 }),
    );
  });

  agent.onMessage(/^crash$/i, async () => {
    // Stands in for a failing integration: the session ends `interrupted`.
    throw new Error('the orders API did not answer');
  });

  agent.onMessage(/^help$/i, async (context) => {
    await context.sendActivity('Try: "agent", "survey", "crash", or anything else.');
  });

  agent.onActivity(ActivityTypes.Message, async (context) => {
    const stamp = getSession(context);
    const where = stamp === undefined ? 'no session (store down)' : `session ${stamp.sessionId}`;
    await context.sendActivity(
      `You said "${context.activity.text}" in ${where}${stamp?.isNew ? ' (new)' : ''}.`,
    );
  });

  agent.onError(async (context, error) => {
    console.error(`turn failed: ${error.message}`);
    await context.sendActivity('Sorry, something went wrong. Say anything to start again.');
  });

  return agent;
}
