/**
 * What this process knows of Redis's clock: an offset, learned from every reply (each script
 * answers with Redis's time). Used for the not-after time of each call, so that a call this
 * process gave up on (command timeout) can never take effect later, and to read deadlines in
 * `get()` on the same clock that set them.
 */
export class StoreClock {
  private offset = 0;
  private known = false;

  /** `storeNow` was read between `sentAt` and `receivedAt` (process clock). */
  observe(storeNow: number, sentAt: number, receivedAt: number): void {
    this.offset = storeNow - (sentAt + receivedAt) / 2;
    this.known = true;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /**
   * The store time after which a call sent at `sentAt` must not act: a margin before the
   * moment the caller's timeout fires, so that "rejected" always means "had no effect".
   * '' while the offset is unknown (before the first reply: see RedisBackend's ready handler).
   */
  notAfter(sentAt: number, timeoutMs: number): string {
    if (!this.known) return '';
    const margin = Math.min(250, timeoutMs / 4);
    return String(Math.floor(sentAt + this.offset + timeoutMs - margin));
  }
}
