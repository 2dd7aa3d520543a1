import type { ReportRow } from '@botsession/core';
import { WebhookHttpError } from '@botsession/webhook';
import type { ResolvedOptions } from './options.js';

/** The JSON of `GET api/report`: what the page draws, straight from `tracker.report`. */
export interface DashboardData {
  from: number;
  to: number;
  step: 'hour' | 'day';
  timeZone: string;
  /** `tracker.report({ from, to, timeZone, channels })`: one row per channel over the range. */
  totals: ReportRow[];
  /** `tracker.report({ from, to, by: ['channel', step], timeZone, channels })`. */
  series: ReportRow[];
}

const HOUR_STEP_UP_TO_MS = 3 * 86_400_000;

/** Reads and checks the query (400 naming the parameter), then the two reports. */
export async function reportData(url: URL, options: ResolvedOptions): Promise<DashboardData> {
  const from = epochMs(url, 'from');
  const to = epochMs(url, 'to');
  if (from >= to) throw new WebhookHttpError(400, `from must be before to, got from=${from} to=${to}`);
  if (to - from > options.maxRangeMs) {
    throw new WebhookHttpError(400, `the range must be at most ${options.maxRangeMs / 86_400_000} days`);
  }
  const step = url.searchParams.get('step') ?? (to - from <= HOUR_STEP_UP_TO_MS ? 'hour' : 'day');
  if (step !== 'hour' && step !== 'day') {
    throw new WebhookHttpError(400, `step must be hour or day, got ${JSON.stringify(step)}`);
  }
  if (step === 'hour' && to - from > 31 * 86_400_000) {
    throw new WebhookHttpError(400, 'step=hour is for ranges up to 31 days; use step=day');
  }
  const timeZone = url.searchParams.get('tz') ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new WebhookHttpError(400, `tz must be an IANA time zone, got ${JSON.stringify(timeZone)}`);
  }
  const channel = url.searchParams.get('channel') ?? '';
  const channels = channel === '' ? {} : { channels: [channel] };
  const [totals, series] = await Promise.all([
    options.tracker.report({ from, to, timeZone, ...channels }),
    options.tracker.report({ from, to, by: ['channel', step], timeZone, ...channels }),
  ]);
  return { from, to, step, timeZone, totals, series };
}

function epochMs(url: URL, name: string): number {
  const raw = url.searchParams.get(name);
  const value = raw === null || raw === '' ? Number.NaN : Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new WebhookHttpError(400, `${name} must be epoch milliseconds, got ${JSON.stringify(raw)}`);
  }
  return value;
}
