import type { EndReason, Session } from '../../types.js';

/** Separates a record's variable fields (see commands/includes/session-record.lua). */
export const SEPARATOR = '\x1f';
/** Width of a record's fixed head: four 13-digit times and three 9-digit counters. */
const HEAD = 79;

/**
 * Builds a Session from a record that starts at `at` in `text`: the fixed head (expiresAt,
 * lastUserMessageAt, lastActivityAt, keyExpiresAt, interactions, userMessages, botMessages),
 * then id, startedAt, surveySentAt and userId separated by \x1f. Written out by hand:
 * this runs for every tracked message.
 */
function decodeAt(
  channel: string,
  conversationId: string,
  text: string,
  at: number,
  endedAt?: number,
  endReason?: EndReason,
): Session {
  const idEnd = text.indexOf(SEPARATOR, at + HEAD);
  const startedEnd = text.indexOf(SEPARATOR, idEnd + 1);
  const surveyEnd = text.indexOf(SEPARATOR, startedEnd + 1);
  const lastUserMessageAt = Number(text.slice(at + 13, at + 26));
  const surveySentAt = text.slice(startedEnd + 1, surveyEnd);
  const userId = text.slice(surveyEnd + 1);
  return {
    id: text.slice(at + HEAD, idEnd),
    channel,
    conversationId,
    userId: userId === '' ? undefined : userId,
    status: endedAt === undefined ? 'active' : 'ended',
    startedAt: Number(text.slice(idEnd + 1, startedEnd)),
    lastUserMessageAt: lastUserMessageAt === 0 ? undefined : lastUserMessageAt,
    lastActivityAt: Number(text.slice(at + 26, at + 39)),
    expiresAt: Number(text.slice(at, at + 13)),
    interactions: Number(text.slice(at + 52, at + 61)),
    userMessages: Number(text.slice(at + 61, at + 70)),
    botMessages: Number(text.slice(at + 70, at + 79)),
    surveySentAt: surveySentAt === '' ? undefined : Number(surveySentAt),
    endedAt,
    endReason,
  };
}

/** A stored record: the session as `get()` sees it. */
export function decodeRecord(channel: string, conversationId: string, record: string): Session {
  return decodeAt(channel, conversationId, record, 0);
}

/** An ended session's snapshot, as retireSession stores it: endedAt (13 digits), reason, \x1f, record. */
export function decodeSnapshot(channel: string, conversationId: string, snapshot: string, at = 0): Session {
  const reasonEnd = snapshot.indexOf(SEPARATOR, at + 13);
  const endedAt = Number(snapshot.slice(at, at + 13));
  const reason = snapshot.slice(at + 13, reasonEnd) as EndReason;
  return decodeAt(channel, conversationId, snapshot, reasonEnd + 1, endedAt, reason);
}

/**
 * A command's reply: one digit, then '1' / '2' the record, '3' the snapshot of the session
 * the call ended, '0' nothing.
 */
export function decodeReply(
  channel: string,
  conversationId: string,
  reply: string,
): { code: number; session: Session | undefined } {
  const code = reply.charCodeAt(0) - 48;
  if (code === 0) return { code, session: undefined };
  if (code === 3) return { code, session: decodeSnapshot(channel, conversationId, reply, 1) };
  return { code, session: decodeAt(channel, conversationId, reply, 1) };
}
