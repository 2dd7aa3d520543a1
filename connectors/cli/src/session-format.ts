import type { Session } from '@botsession/core';
import { csvLine } from './csv.js';
import { count, duration, instant, isoOrEmpty } from './format.js';
import { drawTable, fieldsTable, newTable } from './table.js';

/** How long a session lived: to its end, or so far for a live one. */
function lived(session: Session, now: number): number {
  return (session.endedAt ?? now) - session.startedAt;
}

/** `ref` as the operator types it back into `show` and `end`. */
export function refText(session: Pick<Session, 'channel' | 'conversationId'>): string {
  return `${session.channel}:${session.conversationId}`;
}

/** Live sessions, one line each; times in UTC. */
export function sessionsTable(sessions: readonly Session[], now: number): string {
  const t = newTable(
    ['session id', 'conversation', 'user', 'started (UTC)', 'age', 'interactions', 'user', 'bot', 'ends in'],
    4,
  );
  for (const s of sessions) {
    t.push([
      s.id,
      refText(s),
      s.userId ?? '',
      instant(s.startedAt),
      duration(lived(s, now)),
      count(s.interactions),
      count(s.userMessages),
      count(s.botMessages),
      duration(s.expiresAt - now),
    ]);
  }
  return `${drawTable(t)}\n`;
}

/** One session, every field on its own line (the `show` command). */
export function sessionDetails(session: Session, now: number): string {
  const rows: Array<[string, string]> = [
    ['id', session.id],
    ['conversation', refText(session)],
    ['user', session.userId ?? '–'],
    ['status', session.status],
    ['started (UTC)', instant(session.startedAt)],
    ['last user message', instant(session.lastUserMessageAt)],
    ['last activity', instant(session.lastActivityAt)],
    session.status === 'active'
      ? ['expires (UTC)', `${instant(session.expiresAt)} (in ${duration(session.expiresAt - now)})`]
      : ['ended (UTC)', `${instant(session.endedAt)} (${session.endReason ?? 'unknown reason'})`],
    [session.status === 'active' ? 'age' : 'duration', duration(lived(session, now))],
    [
      'interactions',
      `${count(session.interactions)} (${count(session.userMessages)} user, ${count(session.botMessages)} bot)`,
    ],
    ['survey sent', instant(session.surveySentAt)],
    ['survey score', session.surveyScore === undefined ? '–' : String(session.surveyScore)],
    ['previous session', session.previousSessionId ?? '–'],
  ];
  return `${fieldsTable(rows)}\n`;
}

/** The CSV columns of the session log: every Session field, plus the derived duration. */
export const SESSION_CSV_COLUMNS = [
  'id',
  'channel',
  'conversationId',
  'userId',
  'status',
  'startedAt',
  'endedAt',
  'endReason',
  'durationMs',
  'interactions',
  'userMessages',
  'botMessages',
  'lastUserMessageAt',
  'lastActivityAt',
  'expiresAt',
  'surveySentAt',
  'surveyScore',
  'previousSessionId',
] as const;

export function sessionCsvHeader(): string {
  return csvLine(SESSION_CSV_COLUMNS);
}

/** One session as a CSV record: instants in ISO 8601 UTC, durationMs for ended sessions. */
export function sessionCsvLine(s: Session): string {
  return csvLine([
    s.id,
    s.channel,
    s.conversationId,
    s.userId,
    s.status,
    isoOrEmpty(s.startedAt),
    isoOrEmpty(s.endedAt),
    s.endReason,
    s.endedAt === undefined ? undefined : s.endedAt - s.startedAt,
    s.interactions,
    s.userMessages,
    s.botMessages,
    isoOrEmpty(s.lastUserMessageAt),
    isoOrEmpty(s.lastActivityAt),
    isoOrEmpty(s.expiresAt),
    isoOrEmpty(s.surveySentAt),
    s.surveyScore,
    s.previousSessionId,
  ]);
}

/** One session as an NDJSON line: the record as core gives it (epoch ms). */
export function sessionNdjsonLine(s: Session): string {
  return `${JSON.stringify(s)}\n`;
}
