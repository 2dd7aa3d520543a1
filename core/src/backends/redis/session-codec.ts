import type { EndReason, Session } from '../../types.js';

/** The separator of a session record (see commands/includes/session-record.lua). */
export const SEPARATOR = '\x1f';
const RECORD_FIELDS = 11;

/**
 * Builds a Session from a record's fields, starting at `at` in `f`: id, startedAt,
 * lastUserMessageAt, lastActivityAt, expiresAt, interactions, userMessages, botMessages,
 * surveySentAt, keyExpiresAt, userId (last, so a userId holding the separator survives).
 * Written out by hand: this runs for every tracked message.
 */
function fromFields(
  channel: string,
  conversationId: string,
  f: string[],
  at: number,
  endedAt?: number,
  endReason?: EndReason,
): Session {
  const userId = f.length === at + RECORD_FIELDS ? f[at + 10]! : f.slice(at + 10).join(SEPARATOR);
  return {
    id: f[at]!,
    channel,
    conversationId,
    userId: userId === '' ? undefined : userId,
    status: endedAt === undefined ? 'active' : 'ended',
    startedAt: Number(f[at + 1]),
    lastUserMessageAt: f[at + 2] === '' ? undefined : Number(f[at + 2]),
    lastActivityAt: Number(f[at + 3]),
    expiresAt: Number(f[at + 4]),
    interactions: Number(f[at + 5]),
    userMessages: Number(f[at + 6]),
    botMessages: Number(f[at + 7]),
    surveySentAt: f[at + 8] === '' ? undefined : Number(f[at + 8]),
    endedAt,
    endReason,
  };
}

/** A stored record: the session as `get()` sees it. */
export function decodeRecord(channel: string, conversationId: string, record: string): Session {
  return fromFields(channel, conversationId, record.split(SEPARATOR), 0);
}

/**
 * A command's reply: `code` then the record; code 3 (ended by this call) has endedAt and
 * reason before the record. Code 0 has nothing.
 */
export function decodeReply(
  channel: string,
  conversationId: string,
  reply: string,
): { code: number; session: Session | undefined } {
  const f = reply.split(SEPARATOR);
  const code = Number(f[0]);
  if (f.length === 1) return { code, session: undefined };
  if (code === 3) {
    return { code, session: fromFields(channel, conversationId, f, 3, Number(f[1]), f[2] as EndReason) };
  }
  return { code, session: fromFields(channel, conversationId, f, 1) };
}

/** An ended session's snapshot, as stored by retireSession: endedAt, reason, record. */
export function decodeSnapshot(channel: string, conversationId: string, snapshot: string): Session {
  const f = snapshot.split(SEPARATOR);
  return fromFields(channel, conversationId, f, 2, Number(f[0]), f[1] as EndReason);
}
