import { describe, expect, it } from 'vitest';
import { checkTimeZone, parseDate, parseRangeStart } from './dates.js';

const now = Date.parse('2026-11-30T12:00:00Z');

describe('parseDate', () => {
  it('reads durations as that long before now', () => {
    expect(parseDate('--from', '7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseDate('--from', '24h', now)).toBe(now - 86_400_000);
    expect(parseDate('--from', '30m', now)).toBe(now - 1_800_000);
    expect(parseDate('--from', '90s', now)).toBe(now - 90_000);
    expect(parseDate('--from', '2w', now)).toBe(now - 14 * 86_400_000);
    expect(parseDate('--from', '1.5h', now)).toBe(now - 5_400_000);
    expect(parseDate('--to', 'now', now)).toBe(now);
  });

  it('starts a report range given as a duration ago at the hour holding it, and a date as given', () => {
    const at1540 = Date.parse('2026-11-30T15:40:00Z');
    expect(parseRangeStart('--from', '30m', at1540)).toBe(Date.parse('2026-11-30T15:00:00Z'));
    expect(parseRangeStart('--from', '7d', at1540)).toBe(Date.parse('2026-11-23T15:00:00Z'));
    expect(parseRangeStart('--from', '2026-11-30T14:30Z', at1540)).toBe(Date.parse('2026-11-30T14:30:00Z'));
  });

  it('reads ISO dates and times with an offset as that instant', () => {
    expect(parseDate('--from', '2026-11-01T10:00:00Z', now)).toBe(Date.parse('2026-11-01T10:00:00Z'));
    expect(parseDate('--from', '2026-11-01T10:00+01:00', now)).toBe(Date.parse('2026-11-01T09:00:00Z'));
    expect(parseDate('--from', '2026-11-01T10:00:00.250-0530', now)).toBe(
      Date.parse('2026-11-01T15:30:00.250Z'),
    );
  });

  it('reads a date or time without an offset as a wall time in the time zone (UTC by default)', () => {
    expect(parseDate('--from', '2026-11-01', now)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    // Madrid is UTC+1 in November and UTC+2 in July.
    expect(parseDate('--from', '2026-11-01', now, 'Europe/Madrid')).toBe(Date.parse('2026-10-31T23:00:00Z'));
    expect(parseDate('--from', '2026-07-01 14:00', now, 'Europe/Madrid')).toBe(
      Date.parse('2026-07-01T12:00:00Z'),
    );
    // The day Madrid leaves summer time (25 October 2026) starts at UTC+2.
    expect(parseDate('--from', '2026-10-25', now, 'Europe/Madrid')).toBe(Date.parse('2026-10-24T22:00:00Z'));
    expect(parseDate('--from', '2026-03-01', now, 'America/New_York')).toBe(
      Date.parse('2026-03-01T05:00:00Z'),
    );
  });

  it('rejects anything else with a message naming the flag and the value', () => {
    for (const bad of [
      'yesterday',
      '',
      '7 days',
      '2026-02-30',
      '2026-13-01',
      '2026-11-30T25:00',
      '-7d',
      '7x',
    ]) {
      expect(() => parseDate('--since', bad, now)).toThrow(`--since must be an ISO date`);
      expect(() => parseDate('--since', bad, now)).toThrow(JSON.stringify(bad));
    }
  });
});

describe('checkTimeZone', () => {
  it('accepts IANA names and rejects others naming the flag', () => {
    expect(checkTimeZone('--tz', 'Europe/Madrid')).toBe('Europe/Madrid');
    expect(checkTimeZone('--tz', 'UTC')).toBe('UTC');
    expect(() => checkTimeZone('--tz', 'Mars/Olympus')).toThrow(
      '--tz must be an IANA time zone such as Europe/Madrid or UTC, got "Mars/Olympus"',
    );
  });
});
