/** How the CLI writes numbers, durations and instants for people (tables), not for programs. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `1,234`; a dash for a missing value. */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : integer.format(value);
}

/** `3.5`, `12`; a dash for a missing value (a percentile of no sessions). */
export function amount(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : decimal.format(value);
}

/** `850ms`, `42s`, `4m 05s`, `2h 03m`, `3d 04h`: two units at most, enough to read at a glance. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const negative = ms < 0;
  let rest = Math.round(Math.abs(ms));
  let text: string;
  if (rest < 1_000) text = `${rest}ms`;
  else {
    rest = Math.round(rest / 1_000);
    const [d, h, m, s] = [
      Math.floor(rest / 86_400),
      Math.floor(rest / 3_600) % 24,
      Math.floor(rest / 60) % 60,
      rest % 60,
    ];
    const two = (n: number) => String(n).padStart(2, '0');
    if (d > 0) text = `${d}d ${two(h)}h`;
    else if (h > 0) text = `${h}h ${two(m)}m`;
    else if (m > 0) text = `${m}m ${two(s)}s`;
    else text = `${s}s`;
  }
  return negative ? `-${text}` : text;
}

/** `2026-11-30 14:05:09` in `timeZone` (default UTC); a dash when missing. */
export function instant(at: number | null | undefined, timeZone = 'UTC'): string {
  if (at === null || at === undefined) return '–';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '??';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** An epoch ms as ISO 8601 UTC for files (CSV), empty when missing. */
export function isoOrEmpty(at: number | null | undefined): string {
  return at === null || at === undefined ? '' : new Date(at).toISOString();
}
