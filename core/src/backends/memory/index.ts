import type { ApplyInput, ApplyOutput, Backend, BackendHost } from '../../backend.js';
import { ConfigError } from '../../errors/config-error.js';
import { countEnd, countEvent } from '../../ledger.js';
import type { LedgerCell } from '../../report.js';
import { applyRules, type RuleResult, type SessionEvent } from '../../rules.js';
import type { ConversationRef, Session } from '../../types.js';
import { ConversationMemory } from './conversation-memory.js';
import { DeadlineHeap } from './deadline-heap.js';
import { LedgerTable } from './ledger-table.js';
import { SessionLog } from './session-log.js';
import { SessionTable } from './session-table.js';

/** setTimeout fires at most this far ahead; a later deadline wakes up and re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often remembered delivery ids and ended sessions past their window are dropped. */
const SWEEP_INTERVAL_MS = 60_000;

export interface MemoryBackendOptions {
  /** How many ended sessions the session log keeps (the newest). Default 10,000. */
  logSize?: number;
}

/**
 * The embedded default backend: sessions in this process's memory, correct for one process.
 * Every apply step runs synchronously, so two events of one conversation never interleave.
 * All deadlines share one heap and one unref'd timer, armed for the earliest deadline;
 * a deadline that moved is re-armed lazily when its old one fires.
 *
 * @example
 * const tracker = createSessionTracker({ backend: memoryBackend() }); // same as omitting it
 */
export function memoryBackend(options: MemoryBackendOptions = {}): Backend {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', `memoryBackend options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'logSize') {
      throw new ConfigError(key, `${key} is not a memoryBackend option (expected logSize)`);
    }
  }
  const logSize = options.logSize ?? 10_000;
  if (!Number.isInteger(logSize) || logSize < 1) {
    throw new ConfigError('logSize', `logSize must be a positive integer, got ${String(logSize)}`);
  }
  return new MemoryBackend(logSize);
}

class MemoryBackend implements Backend {
  private host: BackendHost | undefined;
  private readonly table = new SessionTable();
  /** channel → conversationId → slot: nested maps avoid building a key string per message. */
  private readonly index = new Map<string, Map<string, number>>();
  private readonly heap = new DeadlineHeap();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly popped = { deadline: 0, slot: 0, generation: 0 };
  private readonly memory = new ConversationMemory();
  private readonly ledgerTable = new LedgerTable();
  private readonly log: SessionLog;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(logSize: number) {
    this.log = new SessionLog(logSize);
  }

  attach(host: BackendHost): void {
    this.host = host;
    this.sweeper = setInterval(() => this.memory.sweep(host.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  apply(input: ApplyInput): ApplyOutput {
    const { ref, deliveryId, now, policy } = input;
    let conversations = this.index.get(ref.channel);
    if (conversations === undefined) {
      conversations = new Map();
      this.index.set(ref.channel, conversations);
    }
    const slot = conversations.get(ref.conversationId);
    const stored = slot === undefined ? undefined : this.table.read(slot);
    if (deliveryId !== undefined) {
      const seen = this.memory.findDelivery(
        ref.channel,
        ref.conversationId,
        deliveryId,
        now,
        policy.redeliveryWindowMs,
      );
      if (seen !== undefined) return this.redelivery(ref, seen.sessionId, stored);
    }
    // Only a message that may open a session needs the conversation's memory (hot path).
    const previous =
      stored === undefined || now >= stored.expiresAt
        ? this.memory.previousSessionId(ref.channel, ref.conversationId)
        : undefined;
    const result = applyRules(ref, stored, policy, input.event, now, input.newId, previous);
    this.store(conversations, ref.conversationId, slot, result);
    countEvent(stored, result, input.event, policy, now, this.ledgerTable.add);
    if (result.ended !== undefined) this.recordEnd(result.ended, now, policy.redeliveryWindowMs);
    if (deliveryId !== undefined) {
      const record = { id: deliveryId, sessionId: result.session?.id ?? '', at: now };
      this.memory.rememberDelivery(ref.channel, ref.conversationId, record, policy.redeliveryWindowMs);
    }
    return {
      session: result.session,
      isNew: result.started !== undefined,
      started: result.started,
      ended: result.ended,
    };
  }

  /**
   * A delivery seen before: nothing applied; its original session as it is now: the live one,
   * or, while none is live, the last ended one. Older sessions are not kept (bounded memory):
   * undefined then.
   */
  private redelivery(ref: ConversationRef, sessionId: string, active: Session | undefined): ApplyOutput {
    let session: Session | undefined;
    if (active !== undefined) session = active.id === sessionId ? active : undefined;
    else {
      const last = this.memory.lastEnded(ref.channel, ref.conversationId);
      session = last?.id === sessionId ? last : undefined;
    }
    return { session, isNew: false, redelivered: true };
  }

  ledger(firstHour: number, lastHour: number): LedgerCell[] {
    return this.ledgerTable.cells(firstHour, lastHour);
  }

  activeCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [channel, conversations] of this.index) {
      if (conversations.size > 0) counts.set(channel, conversations.size);
    }
    return counts;
  }

  async *liveSessions(options: { channel?: string }): AsyncIterable<Session> {
    for (const [channel, conversations] of this.index) {
      if (options.channel !== undefined && channel !== options.channel) continue;
      // A copy: the caller may await between items while sessions come and go.
      for (const slot of [...conversations.values()]) {
        if (this.table.id(slot) !== undefined) yield this.table.read(slot);
      }
    }
  }

  async *endedSessions(options: { since: number; until: number; channel?: string }): AsyncIterable<Session> {
    yield* this.log.between(options.since, options.until, options.channel);
  }

  /** An ended session: counted in the ledger, written to the log, remembered by its conversation. */
  private recordEnd(ended: Session, now: number, redeliveryWindowMs: number): void {
    this.log.push(ended);
    this.memory.rememberEnd(ended, now, redeliveryWindowMs);
  }

  get(ref: ConversationRef, now: number): Session | undefined {
    const slot = this.index.get(ref.channel)?.get(ref.conversationId);
    if (slot === undefined) return undefined;
    // Past its deadline the session is over even if the timer has not fired yet.
    return this.table.expiresAt(slot) <= now ? undefined : this.table.read(slot);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.memory.clear();
    this.ledgerTable.clear();
    this.log.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.index.clear();
    this.table.clear();
    this.heap.clear();
  }

  private store(
    conversations: Map<string, number>,
    conversationId: string,
    slot: number | undefined,
    result: RuleResult,
  ): void {
    const { next } = result;
    if (next === undefined) {
      if (slot !== undefined) {
        conversations.delete(conversationId);
        this.table.release(slot);
      }
      return;
    }
    if (slot !== undefined && next.id === this.table.id(slot)) {
      this.table.write(slot, next);
      return;
    }
    // A new session: a fresh slot (the old one, if any, was ended by this same step).
    if (slot !== undefined) this.table.release(slot);
    const fresh = this.table.allocate();
    this.table.write(fresh, next);
    conversations.set(conversationId, fresh);
    this.schedule(next.expiresAt, fresh, this.table.generation(fresh));
  }

  private schedule(deadline: number, slot: number, generation: number): void {
    this.heap.push(deadline, slot, generation);
    if (deadline < this.timerAt) this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.heap.peek();
    this.timerAt = next;
    if (next === Number.POSITIVE_INFINITY || this.host === undefined) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - this.host.now()));
    this.timer = setTimeout(() => this.fire(), delay);
    // An idle bot must be able to exit: pending deadlines alone keep nothing alive.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const host = this.host!;
    const now = host.now();
    const entry = this.popped;
    while (this.heap.peek() <= now) {
      this.heap.pop(entry);
      if (!this.table.isLive(entry.slot, entry.generation)) continue;
      this.expire(entry.slot, entry.generation, now, host);
    }
    this.arm();
  }

  private expire(slot: number, generation: number, now: number, host: BackendHost): void {
    const stored = this.table.read(slot);
    const ref = { channel: stored.channel, conversationId: stored.conversationId };
    const event: SessionEvent = { type: 'expire', sessionId: stored.id };
    const result = applyRules(ref, stored, host.policyOf(ref.channel), event, now, noNewId);
    if (result.rescheduleAt !== undefined) {
      this.heap.push(result.rescheduleAt, slot, generation);
      return;
    }
    if (result.ended === undefined) return;
    this.index.get(ref.channel)?.delete(ref.conversationId);
    this.table.release(slot);
    countEnd(result.ended, this.ledgerTable.add);
    this.recordEnd(result.ended, now, host.policyOf(ref.channel).redeliveryWindowMs);
    void host.deliverEnd(result.ended);
  }
}

function noNewId(): string {
  throw new Error('an expiry never opens a session');
}
