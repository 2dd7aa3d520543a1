import { describe, expect, it } from 'vitest';
import { HOUR_MS } from './ledger.js';
import { buildReport, hoursOf, type LedgerCell, resolveQuery } from './report.js';

const T0 = Date.UTC(2026, 10, 29, 22); // 2026-11-29 22:00 UTC = 23:00 in Madrid

describe('report', () => {
  it('takes the hours that start inside [from, to)', () => {
    const q = resolveQuery({ from: T0 + 1, to: T0 + 3 * HOUR_MS });
    expect(hoursOf(q)).toEqual({ first: T0 + HOUR_MS, last: T0 + 2 * HOUR_MS });
  });

  it('groups hours into days of the asked time zone', () => {
    const cells: LedgerCell[] = [
      { hour: T0, channel: 'web', field: 'sessions', value: 2 },
      { hour: T0 + HOUR_MS, channel: 'web', field: 'sessions', value: 3 },
      { hour: T0 + 2 * HOUR_MS, channel: 'web', field: 'sessions', value: 5 },
    ];
    const utc = buildReport(resolveQuery({ from: T0, to: T0 + 3 * HOUR_MS, by: ['day'] }), cells, new Map());
    expect(utc.map((r) => [r.period!.label, r.sessions])).toEqual([
      ['2026-11-29', 5],
      ['2026-11-30', 5],
    ]);
    const madrid = buildReport(
      resolveQuery({ from: T0, to: T0 + 3 * HOUR_MS, by: ['channel', 'day'], timeZone: 'Europe/Madrid' }),
      cells,
      new Map([['web', 4]]),
    );
    expect(madrid.map((r) => [r.period!.label, r.sessions, r.active])).toEqual([
      ['2026-11-29', 2, 4],
      ['2026-11-30', 8, 4],
    ]);
  });

  it('estimates percentiles inside the histogram bucket and keeps the mean exact', () => {
    // Ten sessions of 0-1 s (bucket 0) and ten of 5-10 s (bucket 2).
    const cells: LedgerCell[] = [
      { hour: T0, channel: 'web', field: 'dur:0', value: 10 },
      { hour: T0, channel: 'web', field: 'dur:2', value: 10 },
      { hour: T0, channel: 'web', field: 'durSum', value: 10 * 500 + 10 * 7_500 },
    ];
    const [row] = buildReport(resolveQuery({ from: T0, to: T0 + HOUR_MS }), cells, new Map());
    expect(row!.durationMs.p50).toBe(1_000);
    expect(row!.durationMs.p90).toBe(5_000 + 5_000 * 0.8);
    expect(row!.durationMs.mean).toBe(4_000);
    expect(row!.interactionsPerSession.p50).toBeNull();
  });

  it('shows channels with live sessions and nothing counted in the range', () => {
    const rows = buildReport(resolveQuery({ from: T0, to: T0 + HOUR_MS }), [], new Map([['sms', 3]]));
    expect(rows).toMatchObject([{ channel: 'sms', sessions: 0, active: 3 }]);
  });
});
