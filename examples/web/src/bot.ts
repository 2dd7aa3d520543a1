import { type SessionTracker, unlessStoreDown } from '@botsession/core';
import { refOf, type WebMessageHandler } from '@botsession/web';

/** The shop's bot: answers two questions, hands off to a human on request, echoes the rest. */
export function shopBot(tracker: SessionTracker): WebMessageHandler {
  return async (text, ctx) => {
    const said = text.toLowerCase();
    if (said.includes('hours')) return 'We are open 9:00–18:00, Monday to Saturday.';
    if (said.includes('human') || said.includes('agent')) {
      // Sent before the handoff, so this reply is counted in the session the handoff ends
      // (returned after it, it would be sent but not counted).
      await ctx.send('Connecting you to a person from our team…');
      await unlessStoreDown(tracker.handoff(refOf(ctx)));
      return;
    }
    const session = ctx.botSession?.session;
    return [
      `You said: ${text}`,
      `(session ${ctx.botSession?.sessionId ?? 'unavailable'}, message ${session?.userMessages ?? '?'}; try "hours" or "human")`,
    ];
  };
}
