/**
 * TEMPORARY: the report API of core step B (CORE-API.md), written here until it lands on
 * main; then these come from `@botsession/core` and this file goes.
 */
import type { Session as CoreSession, EndReason, SessionTracker } from '@botsession/core';

export type Session = CoreSession & { previousSessionId?: string; surveyScore?: number };

export interface Summary {
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
  durationMs: Summary;
  interactionsPerSession: Summary;
  surveys: { sent: number; answered: number; meanScore: number | null };
  active: number;
}

export interface ReportOptions {
  from: number | Date;
  to: number | Date;
  by?: Array<'channel' | 'hour' | 'day'>;
  timeZone?: string;
  channels?: string[];
}

export type ReportingTracker = SessionTracker & {
  report(options: ReportOptions): Promise<ReportRow[]>;
  sessions(options?: { channel?: string; limit?: number }): AsyncIterable<Session>;
  endedSessions(options: { since: number; until?: number; channel?: string }): AsyncIterable<Session>;
};
