import type { Distribution, ReportRow } from '@botsession/core';
import { describe, expect, it } from 'vitest';
import { REPORT_CSV_COLUMNS, reportCsv, reportJson, reportTables } from './report-format.js';

/** A distribution as the ledger gives one; the CLI shows its p50, p90 and mean. */
function summary(p50: number | null, p90: number | null, mean: number | null, n: number): Distribution {
  return { p50, p90, mean, bounds: [], counts: [n], sum: (mean ?? 0) * n };
}

const none = { inactivity: 0, closed: 0, handoff: 0, survey: 0, interrupted: 0, manual: 0 };

/** Two channels on two days of November 2026 (Madrid), as core's report documents its rows. */
const rows: ReportRow[] = [
  {
    channel: 'web',
    period: {
      from: Date.parse('2026-11-28T23:00:00Z'),
      to: Date.parse('2026-11-29T23:00:00Z'),
      label: '2026-11-29',
    },
    sessions: 1240,
    engaged: 1198,
    ended: { ...none, inactivity: 1000, closed: 180, handoff: 20, survey: 5, interrupted: 3, manual: 2 },
    endedTotal: 1210,
    interactions: 9861,
    userMessages: 4102,
    botMessages: 5759,
    durationMs: summary(245_000, 1_260_000, 402_500, 1210),
    interactionsPerSession: summary(6, 17.5, 8.15, 1210),
    surveys: { sent: 40, answered: 12, meanScore: 4.25 },
    active: 7,
  },
  {
    channel: 'web',
    period: {
      from: Date.parse('2026-11-29T23:00:00Z'),
      to: Date.parse('2026-11-30T23:00:00Z'),
      label: '2026-11-30',
    },
    sessions: 3,
    engaged: 2,
    ended: { ...none, inactivity: 1 },
    endedTotal: 1,
    interactions: 4,
    userMessages: 2,
    botMessages: 2,
    durationMs: summary(300_000, 300_000, 300_000, 1),
    interactionsPerSession: summary(2, 2, 2, 1),
    surveys: { sent: 0, answered: 0, meanScore: null },
    active: 7,
  },
  {
    channel: 'telegram',
    period: {
      from: Date.parse('2026-11-29T23:00:00Z'),
      to: Date.parse('2026-11-30T23:00:00Z'),
      label: '2026-11-30',
    },
    sessions: 0,
    engaged: 0,
    ended: { ...none },
    endedTotal: 0,
    interactions: 0,
    userMessages: 0,
    botMessages: 0,
    durationMs: summary(null, null, null, 0),
    interactionsPerSession: summary(null, null, null, 0),
    surveys: { sent: 0, answered: 0, meanScore: null },
    active: 2,
  },
];
const heading = {
  from: Date.parse('2026-11-28T23:00:00Z'),
  to: Date.parse('2026-11-30T23:00:00Z'),
  timeZone: 'Europe/Madrid',
};

/** The cells of the table line that starts with `first` (and `second`). */
function cells(text: string, ...start: string[]): string[] {
  const lines = text.split('\n').map((l) =>
    l
      .split('│')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
  const found = lines.filter((c) => start.every((s, i) => c[i] === s));
  expect(found.length, `rows starting ${start.join(' ')}`).toBeGreaterThan(0);
  return found[0]!;
}

describe('reportTables', () => {
  const text = reportTables(rows, heading);

  it('heads the report with its range in the time zone', () => {
    expect(text.split('\n').slice(0, 2)).toEqual([
      'Usage 2026-11-29 00:00:00 → 2026-12-01 00:00:00 (Europe/Madrid)',
      '',
    ]);
  });

  it('says which hours the ledger counted when the range is not whole hours', () => {
    const partial = {
      from: Date.parse('2026-11-30T09:20:00Z'),
      to: Date.parse('2026-11-30T15:40:00Z'),
      timeZone: 'UTC',
    };
    expect(reportTables(rows, partial).split('\n').slice(0, 2)).toEqual([
      'Usage 2026-11-30 09:20:00 → 2026-11-30 15:40:00 (UTC)',
      'Counted by the hour: the hours from 2026-11-30 10:00:00 to 2026-11-30 16:00:00',
    ]);
  });

  it('shows every field of every row, numbers grouped, durations in units, missing values as a dash', () => {
    const [header] = text.split('\n').filter((l) => l.includes('sessions') && l.includes('│'));
    expect(header).toContain('period');
    expect(cells(text, 'web', '2026-11-29').slice(2)).toEqual([
      '1,240',
      '1,198',
      '9,861',
      '4,102',
      '5,759',
      '40',
      '12',
      '4.3',
      '7',
    ]);
    expect(cells(text, 'web', '2026-11-29', '1,210')).toEqual([
      'web',
      '2026-11-29',
      '1,210',
      '1,000',
      '180',
      '20',
      '5',
      '3',
      '2',
    ]);
    expect(cells(text, 'web', '2026-11-29', '4m 05s')).toEqual([
      'web',
      '2026-11-29',
      '4m 05s',
      '21m 00s',
      '6m 43s',
      '6',
      '17.5',
      '8.2',
    ]);
    expect(cells(text, 'telegram', '2026-11-30', '–')).toEqual([
      'telegram',
      '2026-11-30',
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
    ]);
  });

  it('adds totals of the counts; a channel live now counts once however many period rows it has', () => {
    expect(cells(text, 'total', '', '1,243')).toEqual([
      'total',
      '',
      '1,243',
      '1,200',
      '9,865',
      '4,104',
      '5,761',
      '40',
      '12',
      '',
      '9',
    ]);
    expect(cells(text, 'total', '', '1,211')).toEqual([
      'total',
      '',
      '1,211',
      '1,001',
      '180',
      '20',
      '5',
      '3',
      '2',
    ]);
  });

  it('leaves the period column out for rows per channel only, and the total out for one row', () => {
    const one = reportTables([{ ...rows[0]!, period: undefined }], heading);
    expect(one).not.toContain('period');
    expect(one).not.toContain('total');
    expect(cells(one, 'web', '1,240')).toHaveLength(10);
  });

  it('says so when the range has nothing', () => {
    expect(reportTables([], heading)).toContain('No sessions, messages or live sessions in this range.');
  });
});

describe('reportCsv', () => {
  it('writes one column per field, periods as ISO instants, durations in ms, missing values empty', () => {
    const lines = reportCsv(rows).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]!.split(',')).toEqual([...REPORT_CSV_COLUMNS]);
    const record = (i: number) =>
      Object.fromEntries(REPORT_CSV_COLUMNS.map((c, j) => [c, lines[i]!.split(',')[j]]));
    expect(record(1)).toEqual({
      channel: 'web',
      period: '2026-11-29',
      period_from: '2026-11-28T23:00:00.000Z',
      period_to: '2026-11-29T23:00:00.000Z',
      sessions: '1240',
      engaged: '1198',
      ended_total: '1210',
      ended_inactivity: '1000',
      ended_closed: '180',
      ended_handoff: '20',
      ended_survey: '5',
      ended_interrupted: '3',
      ended_manual: '2',
      interactions: '9861',
      user_messages: '4102',
      bot_messages: '5759',
      duration_ms_p50: '245000',
      duration_ms_p90: '1260000',
      duration_ms_mean: '402500',
      interactions_per_session_p50: '6',
      interactions_per_session_p90: '17.5',
      interactions_per_session_mean: '8.15',
      surveys_sent: '40',
      surveys_answered: '12',
      survey_mean_score: '4.25',
      active: '7',
    });
    expect(record(3)).toMatchObject({ channel: 'telegram', duration_ms_p50: '', survey_mean_score: '' });
  });
});

describe('reportJson', () => {
  it('gives the rows exactly as core returned them', () => {
    expect(JSON.parse(reportJson(rows))).toEqual(rows);
  });
});
