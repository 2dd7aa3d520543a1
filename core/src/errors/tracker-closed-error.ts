/** A call on a tracker after `close()`: a programming error in the bot, not a store outage. */
export class TrackerClosedError extends Error {
  override name = 'TrackerClosedError';
  constructor(method: string) {
    super(`the session tracker is closed: ${method}() was called after close()`);
  }
}
