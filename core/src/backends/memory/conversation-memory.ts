import { type DeliveryRecord, findDelivery, rememberDelivery } from '../../deliveries.js';
import type { Session } from '../../types.js';

/** What a conversation keeps beyond its live session, for its redelivery window. */
interface Remembered {
  deliveries: DeliveryRecord[] | undefined;
  previousSessionId: string | undefined;
  /** The last ended session, as it ended: the answer to a redelivery of one of its messages. */
  lastEnded: Session | undefined;
  forgetAt: number;
}

/**
 * Per-conversation memory of the memory backend: delivery ids seen and the last ended session
 * (a redelivery answers with its original session even after that session ended, until the
 * conversation's next session opens; the Redis scripts keep the same). Forgotten after the
 * channel's redelivery window, by a sweep.
 */
export class ConversationMemory {
  private readonly conversations = new Map<string, Map<string, Remembered>>();

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
    entry.lastEnded = session;
    entry.forgetAt = Math.max(entry.forgetAt, now + windowMs);
  }

  lastEnded(channel: string, conversationId: string): Session | undefined {
    return this.conversations.get(channel)?.get(conversationId)?.lastEnded;
  }

  /** Drops what is past its window. */
  sweep(now: number): void {
    for (const [channel, conversations] of this.conversations) {
      for (const [conversationId, entry] of conversations) {
        if (entry.forgetAt <= now) conversations.delete(conversationId);
      }
      if (conversations.size === 0) this.conversations.delete(channel);
    }
  }

  clear(): void {
    this.conversations.clear();
  }

  private entry(channel: string, conversationId: string): Remembered {
    let conversations = this.conversations.get(channel);
    if (conversations === undefined) {
      conversations = new Map();
      this.conversations.set(channel, conversations);
    }
    let entry = conversations.get(conversationId);
    if (entry === undefined) {
      entry = { deliveries: undefined, previousSessionId: undefined, lastEnded: undefined, forgetAt: 0 };
      conversations.set(conversationId, entry);
    }
    return entry;
  }
}
