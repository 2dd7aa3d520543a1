import type { EndReason, Session } from '../../types.js';
import type { LuaReply } from './commands.js';

type Field = string | number | null | false | undefined;

const numberOf = (value: Field): number | undefined =>
  value === null || value === false || value === undefined ? undefined : Number(value);

/**
 * Builds a Session from the positional fields the Lua commands return (see
 * commands/includes/session-fields.lua): id, userId, startedAt, lastUserMessageAt,
 * lastActivityAt, expiresAt, interactions, userMessages, botMessages, surveySentAt,
 * then optionally endedAt and endReason.
 */
export function decodeSession(channel: string, conversationId: string, f: ArrayLike<Field>): Session {
  const endedAt = numberOf(f[10]);
  return {
    id: String(f[0]),
    channel,
    conversationId,
    userId: f[1] === null || f[1] === false || f[1] === undefined ? undefined : String(f[1]),
    status: endedAt === undefined ? 'active' : 'ended',
    startedAt: Number(f[2]),
    lastUserMessageAt: numberOf(f[3]),
    lastActivityAt: Number(f[4]),
    expiresAt: Number(f[5]),
    interactions: Number(f[6]),
    userMessages: Number(f[7]),
    botMessages: Number(f[8]),
    surveySentAt: numberOf(f[9]),
    endedAt,
    endReason: endedAt === undefined ? undefined : (f[11] as EndReason),
  };
}

/** applyEvent's reply: a code, then the session's fields. */
export function decodeApplyReply(channel: string, conversationId: string, reply: LuaReply) {
  const code = Number(reply[0]);
  const session = code === 0 ? undefined : decodeSession(channel, conversationId, reply.slice(1));
  return { code, session };
}

/** An ended session's snapshot, as stored by retireSession: a JSON array of the same fields. */
export function decodeSnapshot(channel: string, conversationId: string, json: string): Session {
  return decodeSession(channel, conversationId, JSON.parse(json) as Field[]);
}
