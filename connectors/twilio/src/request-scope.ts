import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConversationRef } from '@botsession/core';

/** The webhook request being handled, as REST sends made while handling it need to know it. */
export interface RequestScope {
  /** The user's address as Twilio sent it (`From`). */
  from: string | undefined;
  /** Your number or sender (`To`). */
  to: string;
  /** The request's conversation (keyed by the WhatsApp business-scoped id when there is one). */
  ref: ConversationRef;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs the route (Express `next`, or the plain Node handler) inside the request's scope. */
export function withinRequest<T>(scope: RequestScope, run: () => T): T {
  return scopes.run(scope, run);
}

/**
 * The conversation of a message the bot sends while handling a webhook request, when it goes
 * back to the user who wrote: the request's conversation. On WhatsApp the bot sends to the
 * phone number (`From`) while the conversation is keyed by the business-scoped user id, so
 * without this the reply would land in another conversation and open a bot-only session.
 */
export function requestRefFor(to: string, from: string): ConversationRef | undefined {
  const scope = scopes.getStore();
  if (scope === undefined || from !== scope.to) return undefined;
  return to === scope.from || to === scope.ref.userId ? scope.ref : undefined;
}
