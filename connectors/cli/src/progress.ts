import { Presets, SingleBar } from 'cli-progress';
import { count, instant } from './format.js';

/** What the export reports as it goes; a no-op when nobody watches a terminal. */
export interface ExportProgress {
  /** A session was written; `endedAt` moves the bar through the time range. */
  tick(endedAt: number | undefined): void;
  /** `complete`: the whole range was read, so the bar shows 100 %; otherwise it stays where it stopped. */
  stop(complete: boolean): void;
}

const SILENT: ExportProgress = { tick() {}, stop() {} };

/**
 * A progress bar on stderr over the exported time range: the session log is read in time
 * order and its size is unknown, so the bar shows how far through [since, until) the
 * export is, with the count so far.
 */
export function exportProgress(show: boolean, since: number, until: number): ExportProgress {
  if (!show) return SILENT;
  const total = Math.max(1, until - since);
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'exporting [{bar}] {percentage}% | {exported} sessions | up to {at} UTC',
      hideCursor: true,
      fps: 10,
    },
    Presets.shades_classic,
  );
  let exported = 0;
  let reached = 0;
  bar.start(total, 0, { exported: '0', at: instant(since) });
  return {
    tick(endedAt) {
      exported++;
      // Shards of the log may interleave slightly out of order: the bar never goes back.
      if (endedAt !== undefined) reached = Math.min(total, Math.max(reached, endedAt - since));
      bar.update(reached, { exported: count(exported), at: instant(since + reached) });
    },
    stop(complete) {
      if (complete) bar.update(total, { exported: count(exported), at: instant(until) });
      bar.stop();
    },
  };
}
