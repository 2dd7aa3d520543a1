import type { Cluster, Redis } from 'ioredis';

/**
 * Acknowledgements of delivered hooks, batched: a delivered `sessionStart` or `sessionEnd`
 * is removed from its shard's pending hash off the caller's path, a few ms later, in one
 * HDEL per shard and kind. Until then (or if this process dies first) the shard's sweep
 * takes it over after the lease and delivers it again: at least once, keyed by session id.
 */
export class HookAcks {
  private readonly pending = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly onError: (error: Error) => void,
    private readonly delayMs = 20,
  ) {}

  /** `key`: the shard's pendingStarts or pendingEnds hash. */
  add(key: string, sessionId: string): void {
    let ids = this.pending.get(key);
    if (ids === undefined) {
      ids = [];
      this.pending.set(key, ids);
    }
    ids.push(sessionId);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      this.timer.unref();
    }
  }

  /** Sends what is pending; resolves when sent (or failed: then the lease redelivers). */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      Promise.all(batch.map(([key, ids]) => this.client.hdel(key, ...ids))).then(
        () => undefined,
        (error: Error) => this.onError(error),
      ),
    );
    return this.flushing;
  }
}
