import { type DeliveryRecord, findDelivery, rememberDelivery } from '../../deliveries.js';
import type { Session } from '../../types.js';

/** What a conversation keeps beyond its live session, for its redelivery window. */
interface Remembered {
  deliveries: DeliveryRecord[] | undefined;
  previousSessionId: string | undefined;
  forgetAt: number;
}

/**
 * Per-conversation memory of the memory backend: delivery ids seen, the last ended session's
 * id, and recently ended sessions by id (a redelivery answers with its original session even
 * after that session ended). Forgotten after the channel's redelivery window, by a sweep.
 */
export class ConversationMemory {
  private readonly conversations = new Map<string, Map<string, Remembered>>();
  private readonly ended = new Map<string, { session: Session; forgetAt: number }>();

  previousSessionId(channel: string, conversationId: string): string | undefined {
    return this.conversations.get(channel)?.get(conversationId)?.previousSessionId;
  }

  findDelivery(
    channel: string,
    conversationId: string,
    id: string,
    now: number,
    windowMs: number,
  ): DeliveryRecord | undefined {
    return findDelivery(this.conversations.get(channel)?.get(conversationId)?.deliveries, id, now, windowMs);
  }

  rememberDelivery(channel: string, conversationId: string, record: DeliveryRecord, windowMs: number): void {
    const entry = this.entry(channel, conversationId);
    entry.deliveries = rememberDelivery(entry.deliveries, record, windowMs);
    entry.forgetAt = Math.max(entry.forgetAt, record.at + windowMs);
  }

  /** A session ended: its conversation's next session points back to it. */
  rememberEnd(session: Session, now: number, windowMs: number): void {
    const entry = this.entry(session.channel, session.conversationId);
    entry.previousSessionId = session.id;
    const forgetAt = now + windowMs;
    entry.forgetAt = Math.max(entry.forgetAt, forgetAt);
    this.ended.set(session.id, { session, forgetAt });
  }

  endedSession(id: string): Session | undefined {
    return this.ended.get(id)?.session;
  }

  /** Drops what is past its window. */
  sweep(now: number): void {
    for (const [channel, conversations] of this.conversations) {
      for (const [conversationId, entry] of conversations) {
        if (entry.forgetAt <= now) conversations.delete(conversationId);
      }
      if (conversations.size === 0) this.conversations.delete(channel);
    }
    for (const [id, entry] of this.ended) {
      if (entry.forgetAt <= now) this.ended.delete(id);
    }
  }

  clear(): void {
    this.conversations.clear();
    this.ended.clear();
  }

  private entry(channel: string, conversationId: string): Remembered {
    let conversations = this.conversations.get(channel);
    if (conversations === undefined) {
      conversations = new Map();
      this.conversations.set(channel, conversations);
    }
    let entry = conversations.get(conversationId);
    if (entry === undefined) {
      entry = { deliveries: undefined, previousSessionId: undefined, forgetAt: 0 };
      conversations.set(conversationId, entry);
    }
    return entry;
  }
}
