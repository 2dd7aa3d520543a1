/**
 * Reads the records the Lua commands write. The layout is written down once, in
 * commands/includes/record.lua; RECORD names the same offsets of the text form (0-based here,
 * 1-based there), which every answer, snapshot and log entry uses; STORED those of the packed
 * form kept in the records hash, read only by get() and the live-session listing.
 * Written out by hand: it runs for every tracked message.
 */
import type { EndReason, Session } from '../../types.js';
import { decodeName, refOfName } from './names.js';

export const SEPARATOR = '\u001f';

/** Offsets of a live record ('L'): [start, end) of each fixed-width field. */
export const RECORD = {
  kind: 0,
  expiresAt: [1, 14],
  lastUserMessageAt: [14, 27],
  lastActivityAt: [27, 40],
  forgetAt: [40, 53],
  interactions: [53, 62],
  userMessages: [62, 71],
  botMessages: [71, 80],
  /** id \x1f startedAt \x1f surveySentAt \x1f surveyScore \x1f previousSessionId \x1f ordinal \x1f userId \x1f deliveries */
  tail: 80,
} as const;

/** Offsets of a stored (packed) live record, kind 'l': big-endian integers, then the text fields. */
export const STORED = {
  expiresAt: 1,
  lastUserMessageAt: 7,
  lastActivityAt: 13,
  forgetAt: 19,
  startedAt: 25,
  interactions: 31,
  userMessages: 35,
  botMessages: 39,
  /** id \x1f surveySentAt \x1f surveyScore \x1f previousSessionId \x1f ordinal \x1f userId \x1f deliveries (binary) */
  tail: 43,
} as const;

const PACKED_LIVE = 0x6c; // 'l'
const LEGACY_LIVE = 0x4c; // 'L': a live record of 0.1.0, stored as text
const SEPARATOR_BYTE = 0x1f;

/** The session in a stored live record, or undefined when the record is not a live one. */
export function decodeStored(channel: string, conversationId: string, record: Buffer): Session | undefined {
  if (record[0] === LEGACY_LIVE) return decodeLive(channel, conversationId, record.toString('utf8'));
  if (record[0] !== PACKED_LIVE) return undefined;
  const parts: string[] = [];
  let from = STORED.tail;
  // The six text fields; the delivery ids after them are the store's business.
  for (let i = 0; i < 6; i++) {
    const cut = record.indexOf(SEPARATOR_BYTE, from);
    parts.push(record.toString('utf8', from, cut));
    from = cut + 1;
  }
  const [id, surveySentAt, surveyScore, previous, , userId] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return sessionOf(channel, conversationId, {
    id,
    userId,
    startedAt: record.readUIntBE(STORED.startedAt, 6),
    lastUserMessageAt: record.readUIntBE(STORED.lastUserMessageAt, 6),
    lastActivityAt: record.readUIntBE(STORED.lastActivityAt, 6),
    expiresAt: record.readUIntBE(STORED.expiresAt, 6),
    interactions: record.readUInt32BE(STORED.interactions),
    userMessages: record.readUInt32BE(STORED.userMessages),
    botMessages: record.readUInt32BE(STORED.botMessages),
    surveySentAt,
    surveyScore,
    previous,
  });
}

/** A record's fields as both layouts hold them: '' and 0 stand for none. */
interface RecordFields {
  id: string;
  userId: string;
  startedAt: number;
  lastUserMessageAt: number;
  lastActivityAt: number;
  expiresAt: number;
  interactions: number;
  userMessages: number;
  botMessages: number;
  surveySentAt: string;
  surveyScore: string;
  previous: string;
}

function sessionOf(
  channel: string,
  conversationId: string,
  f: RecordFields,
  endedAt?: number,
  endReason?: EndReason,
): Session {
  return {
    id: f.id,
    channel,
    conversationId,
    userId: f.userId === '' ? undefined : decodeName(f.userId),
    status: endedAt === undefined ? 'active' : 'ended',
    startedAt: f.startedAt,
    lastUserMessageAt: f.lastUserMessageAt === 0 ? undefined : f.lastUserMessageAt,
    lastActivityAt: f.lastActivityAt,
    expiresAt: f.expiresAt,
    interactions: f.interactions,
    userMessages: f.userMessages,
    botMessages: f.botMessages,
    surveySentAt: f.surveySentAt === '' ? undefined : Number(f.surveySentAt),
    surveyScore: f.surveyScore === '' ? undefined : Number(f.surveyScore),
    previousSessionId: f.previous === '' ? undefined : f.previous,
    endedAt,
    endReason,
  };
}

/** A snapshot: endedAt (13 digits), reason, \x1f, then the live record it ended as. */
const ENDED_AT_WIDTH = 13;

function field(text: string, at: number, [from, to]: readonly [number, number]): number {
  return Number(text.slice(at + from, at + to));
}

/** The session in a live record starting at `at` of `text`. */
export function decodeLive(
  channel: string,
  conversationId: string,
  text: string,
  at = 0,
  endedAt?: number,
  endReason?: EndReason,
): Session {
  let from = at + RECORD.tail;
  const parts: string[] = [];
  // The first seven fields; the delivery ids after them are the store's business.
  for (let i = 0; i < 7; i++) {
    const cut = text.indexOf(SEPARATOR, from);
    parts.push(text.slice(from, cut));
    from = cut + 1;
  }
  const [id, startedAt, surveySentAt, surveyScore, previous, , userId] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return sessionOf(
    channel,
    conversationId,
    {
      id,
      userId,
      startedAt: Number(startedAt),
      lastUserMessageAt: field(text, at, RECORD.lastUserMessageAt),
      lastActivityAt: field(text, at, RECORD.lastActivityAt),
      expiresAt: field(text, at, RECORD.expiresAt),
      interactions: field(text, at, RECORD.interactions),
      userMessages: field(text, at, RECORD.userMessages),
      botMessages: field(text, at, RECORD.botMessages),
      surveySentAt,
      surveyScore,
      previous,
    },
    endedAt,
    endReason,
  );
}

export function decodeSnapshot(channel: string, conversationId: string, snapshot: string): Session {
  const cut = snapshot.indexOf(SEPARATOR, ENDED_AT_WIDTH);
  const endedAt = Number(snapshot.slice(0, ENDED_AT_WIDTH));
  const reason = snapshot.slice(ENDED_AT_WIDTH, cut) as EndReason;
  return decodeLive(channel, conversationId, snapshot, cut + 1, endedAt, reason);
}

/** A live record or a snapshot, as a redelivery answers; undefined for ''. */
export function decodeEither(channel: string, conversationId: string, payload: string): Session | undefined {
  if (payload === '') return undefined;
  return payload[0] === 'L'
    ? decodeLive(channel, conversationId, payload)
    : decodeSnapshot(channel, conversationId, payload);
}

/** A session from a conversation name and a payload (the sweep's and the log's answers). */
export function decodeNamed(name: string, payload: string): Session | undefined {
  const { channel, conversationId } = refOfName(name);
  return decodeEither(channel, conversationId, payload);
}
