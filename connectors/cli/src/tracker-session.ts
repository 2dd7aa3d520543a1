import type { SessionTracker } from '@botsession/core';
import type { ConnectionFlags } from './connection.js';

/** How long closing the tracker may take before the CLI exits anyway (a one-shot command). */
const CLOSE_WITHIN_MS = 3_000;

/**
 * Opens a tracker on the operator's store, runs `work` with it, and closes it, even when
 * `work` fails. A close that hangs (Redis gone mid-command) does not keep the CLI alive.
 */
export async function withTracker<T>(
  flags: ConnectionFlags,
  work: (tracker: SessionTracker) => Promise<T>,
): Promise<T> {
  // Loaded on demand: ioredis and BullMQ are most of the start-up time, and help, version
  // and usage errors need neither.
  const { openTracker } = await import('./connection.js');
  const { tracker, close } = await openTracker(flags);
  try {
    return await work(tracker);
  } finally {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      close().catch(() => {}),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_WITHIN_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
