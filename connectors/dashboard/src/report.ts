import type { SessionTracker } from '@botsession/core';

/** What the dashboard reads: the tracker's ledger. */
export type ReportingTracker = Pick<SessionTracker, 'report'>;
