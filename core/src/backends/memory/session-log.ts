import type { Session } from '../../types.js';

/** The memory backend's session log: the newest `capacity` ended sessions, oldest first. */
export class SessionLog {
  private readonly ring: Array<Session | undefined>;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  push(session: Session): void {
    this.ring[this.next] = session;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Ended in [since, until), of `channel` if given, in the order they ended. */
  *between(since: number, until: number, channel: string | undefined): Generator<Session> {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const session = this.ring[(start + i) % this.capacity]!;
      const endedAt = session.endedAt!;
      if (endedAt < since || endedAt >= until) continue;
      if (channel !== undefined && session.channel !== channel) continue;
      yield session;
    }
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}
