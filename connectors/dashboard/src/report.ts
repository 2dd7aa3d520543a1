/**
 * The shape of `tracker.report(...)` as CORE-API.md documents it (core step B, "core: report").
 * TEMPORARY: replaced by core's own exported types once step B is merged.
 */
import type { EndReason } from '@botsession/core';

export interface ReportQuery {
  from: number | Date;
  to: number | Date;
  by?: Array<'channel' | 'hour' | 'day'>;
  timeZone?: string;
  channels?: string[];
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  mean: number | null;
}

export interface ReportRow {
  channel: string;
  period?: { from: number; to: number; label: string };
  sessions: number;
  engaged: number;
  ended: Record<EndReason, number>;
  endedTotal: number;
  interactions: number;
  userMessages: number;
  botMessages: number;
  durationMs: Percentiles;
  interactionsPerSession: Percentiles;
  surveys: { sent: number; answered: number; meanScore: number | null };
  active: number;
}

/** What the dashboard reads: the tracker's ledger. */
export interface ReportingTracker {
  report(query: ReportQuery): Promise<ReportRow[]>;
}
