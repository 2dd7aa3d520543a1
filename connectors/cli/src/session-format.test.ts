import type { Session } from '@botsession/core';
import { describe, expect, it } from 'vitest';
import {
  SESSION_CSV_COLUMNS,
  sessionCsvHeader,
  sessionCsvLine,
  sessionDetails,
  sessionNdjsonLine,
  sessionsTable,
} from './session-format.js';

const t0 = Date.parse('2026-11-30T14:00:00Z');
const live: Session = {
  id: '019ad5d4-3c00-7a2b-8c3d-0123456789ab',
  channel: 'sms',
  conversationId: '+15550002222:+15550009999',
  userId: '+15550002222',
  status: 'active',
  startedAt: t0,
  lastUserMessageAt: t0 + 60_000,
  lastActivityAt: t0 + 65_000,
  expiresAt: t0 + 60_000 + 86_400_000,
  interactions: 3,
  userMessages: 2,
  botMessages: 1,
};
const ended: Session = {
  ...live,
  id: '019ad5d4-3c00-7a2b-8c3d-0123456789ac',
  channel: 'web',
  conversationId: 'visitor, "the first"',
  userId: undefined,
  status: 'ended',
  endedAt: t0 + 360_000,
  endReason: 'survey',
  surveySentAt: t0 + 300_000,
  surveyScore: 80,
  previousSessionId: '019ad5d0-0000-7000-8000-000000000000',
};

describe('sessionsTable', () => {
  it('shows each live session on one line with its ref as show and end take it', () => {
    const text = sessionsTable([live], t0 + 120_000);
    const row = text.split('\n').find((l) => l.includes(live.id))!;
    expect(
      row
        .split('│')
        .map((c) => c.trim())
        .slice(1, -1),
    ).toEqual([
      live.id,
      'sms:+15550002222:+15550009999',
      '+15550002222',
      '2026-11-30 14:00:00',
      '2m 00s',
      '3',
      '2',
      '1',
      '23h 59m',
    ]);
  });
});

describe('sessionDetails', () => {
  it('lists every field of an ended session', () => {
    const text = sessionDetails(ended, t0 + 600_000);
    for (const expected of [
      ended.id,
      'web:visitor, "the first"',
      'ended',
      '2026-11-30 14:06:00 (survey)',
      '6m 00s',
      '3 (2 user, 1 bot)',
      '2026-11-30 14:05:00',
      '80',
      ended.previousSessionId!,
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('gives a live session its deadline instead of an end', () => {
    const text = sessionDetails(live, t0 + 120_000);
    expect(text).toContain('2026-12-01 14:01:00 (in 23h 59m)');
    expect(text).not.toContain('ended');
  });
});

describe('session log records', () => {
  it('writes CSV with every field, instants in ISO UTC, the derived duration, quoting as needed', () => {
    expect(sessionCsvHeader()).toBe(`${SESSION_CSV_COLUMNS.join(',')}\n`);
    expect(sessionCsvLine(ended)).toBe(
      `${[
        ended.id,
        'web',
        '"visitor, ""the first"""',
        '',
        'ended',
        '2026-11-30T14:00:00.000Z',
        '2026-11-30T14:06:00.000Z',
        'survey',
        '360000',
        '3',
        '2',
        '1',
        '2026-11-30T14:01:00.000Z',
        '2026-11-30T14:01:05.000Z',
        '2026-12-01T14:01:00.000Z',
        '2026-11-30T14:05:00.000Z',
        '80',
        ended.previousSessionId,
      ].join(',')}\n`,
    );
  });

  it('writes NDJSON as the session record itself, one line', () => {
    const line = sessionNdjsonLine(ended);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(ended)));
  });
});
