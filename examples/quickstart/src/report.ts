/**
 * The end of the quickstart: the usage report of the run, read back from the store's ledger
 * with `tracker.report` (the numbers `botsession report` prints for a Redis store).
 */
import { END_REASONS, type SessionTracker } from '@botsession/core';

const COLUMNS = ['channel', 'sessions', 'engaged', 'interactions', 'user', 'bot', 'mean length', 'ended'];

function seconds(ms: number | null): string {
  return ms === null ? '–' : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Prints one line per channel: sessions, messages, mean duration (exact, where the ledger's
 * p50/p90 are estimated from histogram buckets) and how the sessions ended.
 */
export async function printReport(tracker: SessionTracker): Promise<void> {
  // The memory store holds this run only, so all of time is the run.
  const rows = await tracker.report({ from: 0, to: Date.now() + 1 });
  const lines = rows.map((r) => [
    r.channel,
    String(r.sessions),
    String(r.engaged),
    String(r.interactions),
    String(r.userMessages),
    String(r.botMessages),
    seconds(r.durationMs.mean),
    END_REASONS.filter((reason) => r.ended[reason] > 0)
      .map((reason) => `${r.ended[reason]} ${reason}`)
      .join(', '),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...lines.map((l) => l[i]!.length)));
  // Text columns left, numbers right.
  const format = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  console.log('\nUsage report of this run (tracker.report):\n');
  console.log(format(COLUMNS));
  for (const line of lines) console.log(format(line));
}
