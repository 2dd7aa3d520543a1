/**
 * What this process knows of Redis's clock: an offset, learned from replies (each script
 * answers with Redis's time). Used for the not-after time of each call, so that a call this
 * process gave up on (command timeout) can never take effect later, and to read deadlines in
 * `get()` on the same clock that set them.
 *
 * A reply only bounds Redis's time to the round trip around it, so only quick round trips
 * teach anything: a reply that waited out a stall (or a busy event loop) would put the
 * offset off by half the stall, and a too-late not-after time lets a call act after its
 * caller gave up. So the estimate keeps the quickest recent sample, and not-after times
 * subtract its remaining uncertainty.
 */
export class StoreClock {
  private offset = 0;
  private rttMs = Number.POSITIVE_INFINITY;
  private learnedAt = 0;

  /** `storeNow` was read between `sentAt` and `receivedAt` (process clock). */
  observe(storeNow: number, sentAt: number, receivedAt: number): void {
    const rtt = receivedAt - sentAt;
    if (rtt > MAX_USEFUL_RTT_MS) return;
    // A quicker round trip is a better sample; an old estimate gives way to any usable one (drift).
    if (rtt <= this.rttMs + 2 || receivedAt - this.learnedAt > REFRESH_MS) {
      this.offset = storeNow - (sentAt + receivedAt) / 2;
      this.rttMs = rtt;
      this.learnedAt = receivedAt;
    }
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /**
   * The store time after which a call sent at `sentAt` must not act: half its timeout, so
   * that "rejected" always means "had no effect". '' while nothing is known yet (before the first reply: see RedisBackend's ready handler).
   */
  notAfter(sentAt: number, timeoutMs: number): string {
    if (this.rttMs === Number.POSITIVE_INFINITY) return '';
    // Half the timeout is left for the answer of a script that did run to reach the caller
    // and be read, even by a busy event loop (a quarter, at most 250 ms, was not enough
    // with two test workers on two cores).
    const margin = timeoutMs / 2 + this.rttMs / 2;
    return String(Math.floor(sentAt + this.offset + timeoutMs - margin));
  }
}

/** Round trips slower than this teach nothing worth knowing about the offset. */
const MAX_USEFUL_RTT_MS = 100;
/** After this long, the estimate is refreshed from the next usable sample, quick or not. */
const REFRESH_MS = 10_000;
