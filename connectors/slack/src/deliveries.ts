/**
 * The recent user messages this process counted, keyed by `team:channel:ts`, holding the stamp promise of
 * the first delivery. A second delivery of the same message (the `app_mention` twin of a `message` event,
 * or a Slack retry) gets the same stamp instead of counting again. Bounded by count, never by time: it
 * only has to outlive the few seconds between Slack's deliveries.
 */
export class RecentDeliveries<T> {
  private readonly seen = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  /** Runs `first` for a key not seen recently; otherwise returns the first delivery's promise. */
  once(key: string, first: () => Promise<T>): Promise<T> {
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    const pending = first();
    this.seen.set(key, pending);
    // A failed count is forgotten so a retry of the same message can count.
    pending.catch(() => this.seen.delete(key));
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return pending;
  }
}
