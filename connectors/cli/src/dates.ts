import { usageError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};
const RELATIVE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
// Date, optional time, optional offset: 2026-11-30, 2026-11-30T14:00, 2026-11-30 14:00:05.250+01:00, …Z
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a date flag into epoch ms: `now`; a duration ago (`90s`, `30m`, `24h`, `7d`, `2w`);
 * or an ISO 8601 date or date-time. One without an offset (`2026-11-30`, `2026-11-30T14:00`)
 * is a wall time in `timeZone`, so `--from 2026-11-30 --tz Europe/Madrid` is Madrid's midnight.
 *
 * @example parseDate('--from', '7d', Date.now()) // a week ago
 */
export function parseDate(flag: string, text: string, now: number, timeZone = 'UTC'): number {
  const value = text.trim();
  if (value === 'now') return now;
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  const iso = ISO.exec(value);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', offset] = iso;
    const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
    const ms = Number(frac.padEnd(3, '0'));
    const wall = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], ms);
    const back = new Date(wall);
    // Date.UTC rolls 2026-02-31 over to March: a date that does not round-trip does not exist.
    if (
      back.getUTCFullYear() === fields[0] &&
      back.getUTCMonth() === fields[1] - 1 &&
      back.getUTCDate() === fields[2] &&
      back.getUTCHours() === fields[3] &&
      back.getUTCMinutes() === fields[4]
    ) {
      if (offset === undefined) return fromWallTime(wall, timeZone);
      if (offset.toUpperCase() === 'Z') return wall;
      const sign = offset.startsWith('-') ? -1 : 1;
      const digits = offset.slice(1).replace(':', '');
      return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
  }
  throw usageError(
    `${flag} must be an ISO date (2026-11-30, 2026-11-30T14:00Z), a duration ago (90s, 30m, 24h, 7d, 2w) or "now", got ${JSON.stringify(text)}`,
  );
}

const HOUR_MS = 3_600_000;

/**
 * The start of a report's range. The ledger counts per UTC hour and a range takes the hours
 * that start in it, so `--from 30m` taken literally at 15:40 would take no hour at all. A
 * duration ago therefore starts at the hour that holds that moment (15:00); a date is taken
 * as given, whole hours or not.
 *
 * @example parseRangeStart('--from', '30m', Date.parse('2026-11-30T15:40Z')) // 15:00
 */
export function parseRangeStart(flag: string, text: string, now: number, timeZone = 'UTC'): number {
  const at = parseDate(flag, text, now, timeZone);
  return RELATIVE.test(text.trim()) ? Math.floor(at / HOUR_MS) * HOUR_MS : at;
}

/** Checks an IANA time zone name (`Europe/Madrid`, `UTC`). */
export function checkTimeZone(flag: string, timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    throw usageError(
      `${flag} must be an IANA time zone such as Europe/Madrid or UTC, got ${JSON.stringify(timeZone)}`,
    );
  }
}

/** How far `timeZone` is ahead of UTC at instant `at`, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - (at - (at % 1000));
}

/**
 * The instant a wall time (given as if it were UTC) has in `timeZone`. Two passes settle
 * DST: the offset is read again at the first guess. A wall time in a spring-forward gap
 * lands an hour on, as most libraries do.
 */
function fromWallTime(wall: number, timeZone: string): number {
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone);
}
