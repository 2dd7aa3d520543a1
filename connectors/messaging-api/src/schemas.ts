import { END_REASONS, type EndReason } from '@botsession/core';
import { WebhookHttpError } from '@botsession/webhook';
import { z } from 'zod';

/**
 * Every body the API reads or writes, as zod schemas: requests are validated with them, and
 * the OpenAPI document is generated from them, so the two cannot drift apart. A private
 * registry (not zod's global one) names them, so a bot's own schemas never collide.
 */
export const registry = z.registry<{ id: string; description?: string }>();

const endReasons = END_REASONS as readonly [EndReason, ...EndReason[]];
const id = (what: string) => z.string().min(1).max(256).describe(what);

export const messageRequest = z.strictObject({
  conversationId: id('Your conversation id; one conversation has at most one active session.'),
  userId: id("The user's id in your system."),
  text: z
    .string()
    .max(64 * 1024)
    .describe("The user's message."),
});
registry.add(messageRequest, { id: 'MessageRequest', description: 'A message the user sent.' });

/** handoff, survey-sent and survey-answered take no fields: an empty body or `{}`. */
export const emptyRequest = z.strictObject({});
registry.add(emptyRequest, { id: 'EmptyRequest', description: 'No fields; the body may be empty.' });

export const endRequest = z.strictObject({
  reason: z
    .enum(endReasons)
    .describe("Why the session ends; the channel's endOn decides for closed/handoff/survey/interrupted."),
});
registry.add(endRequest, { id: 'EndRequest', description: 'Ends the active session.' });

export const sessionSchema = z.object({
  id: z.string(),
  channel: z.string(),
  conversationId: z.string(),
  userId: z.string().optional(),
  status: z.enum(['active', 'ended']),
  startedAt: z.number().describe('Epoch milliseconds, like every time here.'),
  lastUserMessageAt: z.number().optional(),
  lastActivityAt: z.number(),
  expiresAt: z.number().describe('When inactivity ends the session unless the user writes again.'),
  interactions: z.number().int(),
  userMessages: z.number().int(),
  botMessages: z.number().int(),
  surveySentAt: z.number().optional(),
  endedAt: z.number().optional(),
  endReason: z.enum(endReasons).optional(),
});
registry.add(sessionSchema, { id: 'Session', description: 'One session of a conversation.' });

export const messageResponse = z.object({
  sessionId: z.string().nullable().describe('null when the session store is down: the bot still answered.'),
  isNew: z
    .boolean()
    .nullable()
    .describe('True when this message started the session; null when not tracked.'),
  redelivered: z
    .boolean()
    .nullable()
    .describe(
      'True when this request repeats an earlier one (same Idempotency-Key): nothing more was counted, the stamp is the original one; null when not tracked.',
    ),
  replies: z.array(z.string()).describe("The bot's replies, each counted as a bot message."),
});
registry.add(messageResponse, { id: 'MessageResponse', description: "The bot's answer to a message." });

export const sessionResponse = z.object({
  session: sessionSchema
    .nullable()
    .describe('The session acted on (an ended one for ends), or null when none was active.'),
});
registry.add(sessionResponse, { id: 'SessionResponse', description: 'A session, or null.' });

export const activeSessionResponse = z.object({ session: sessionSchema });
registry.add(activeSessionResponse, { id: 'ActiveSessionResponse', description: 'The active session.' });

export const errorResponse = z.object({ error: z.string().describe('One line naming the problem.') });
registry.add(errorResponse, { id: 'Error', description: 'A refused request.' });

/** Parses a body, or refuses it with a 400 naming each bad field: `conversationId: expected string`. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const reasons = result.error.issues.map((issue) => {
    const field = issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
    return `${field}: ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  throw new WebhookHttpError(400, reasons.join('; '));
}
