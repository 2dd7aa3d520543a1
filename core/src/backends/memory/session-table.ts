import type { EndReason, Session } from '../../types.js';

/**
 * Live sessions stored column by column (struct of arrays). A million sessions as plain
 * objects would cost ~400 bytes each, mostly for boxed timestamps; typed-array columns
 * keep the numbers unboxed and leave ~200 bytes plus the caller's id strings.
 * NaN stands for "undefined" in the optional time columns.
 */
export class SessionTable {
  private capacity = 0;
  private ids: Array<string | undefined> = [];
  private channels: string[] = [];
  private conversationIds: string[] = [];
  private userIds: Array<string | undefined> = [];
  private previousIds: Array<string | undefined> = [];
  private startedAt = new Float64Array(0);
  private lastUserMessageAt = new Float64Array(0);
  private lastActivityAt = new Float64Array(0);
  private expiresAtColumn = new Float64Array(0);
  private surveySentAt = new Float64Array(0);
  private surveyScore = new Float64Array(0);
  private interactions = new Uint32Array(0);
  private userMessages = new Uint32Array(0);
  private botMessages = new Uint32Array(0);
  /** Bumped when a slot is released, so a stale deadline for a reused slot is recognised. */
  private generations = new Uint32Array(0);
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  private used = 0;

  get size(): number {
    return this.used - this.freeCount;
  }

  generation(slot: number): number {
    return this.generations[slot]!;
  }

  expiresAt(slot: number): number {
    return this.expiresAtColumn[slot]!;
  }

  isLive(slot: number, generation: number): boolean {
    return slot < this.used && this.generations[slot] === generation && this.ids[slot] !== undefined;
  }

  id(slot: number): string | undefined {
    return this.ids[slot];
  }

  channel(slot: number): string {
    return this.channels[slot]!;
  }

  conversationId(slot: number): string {
    return this.conversationIds[slot]!;
  }

  allocate(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  release(slot: number): void {
    this.ids[slot] = undefined;
    this.userIds[slot] = undefined;
    this.previousIds[slot] = undefined;
    this.generations[slot] = (this.generations[slot]! + 1) >>> 0;
    this.freeSlots[this.freeCount++] = slot;
  }

  read(slot: number): Session {
    const lastUser = this.lastUserMessageAt[slot]!;
    const survey = this.surveySentAt[slot]!;
    const score = this.surveyScore[slot]!;
    return {
      id: this.ids[slot]!,
      channel: this.channels[slot]!,
      conversationId: this.conversationIds[slot]!,
      userId: this.userIds[slot],
      status: 'active',
      startedAt: this.startedAt[slot]!,
      lastUserMessageAt: Number.isNaN(lastUser) ? undefined : lastUser,
      lastActivityAt: this.lastActivityAt[slot]!,
      expiresAt: this.expiresAtColumn[slot]!,
      interactions: this.interactions[slot]!,
      userMessages: this.userMessages[slot]!,
      botMessages: this.botMessages[slot]!,
      surveySentAt: Number.isNaN(survey) ? undefined : survey,
      surveyScore: Number.isNaN(score) ? undefined : score,
      previousSessionId: this.previousIds[slot],
      endedAt: undefined,
      endReason: undefined as EndReason | undefined,
    };
  }

  write(slot: number, session: Session): void {
    this.ids[slot] = session.id;
    this.channels[slot] = session.channel;
    this.conversationIds[slot] = session.conversationId;
    this.userIds[slot] = session.userId;
    this.startedAt[slot] = session.startedAt;
    this.lastUserMessageAt[slot] = session.lastUserMessageAt ?? Number.NaN;
    this.lastActivityAt[slot] = session.lastActivityAt;
    this.expiresAtColumn[slot] = session.expiresAt;
    this.surveySentAt[slot] = session.surveySentAt ?? Number.NaN;
    this.surveyScore[slot] = session.surveyScore ?? Number.NaN;
    this.previousIds[slot] = session.previousSessionId;
    this.interactions[slot] = session.interactions;
    this.userMessages[slot] = session.userMessages;
    this.botMessages[slot] = session.botMessages;
  }

  clear(): void {
    this.capacity = 0;
    this.used = 0;
    this.freeCount = 0;
    this.ids = [];
    this.channels = [];
    this.conversationIds = [];
    this.userIds = [];
    this.previousIds = [];
    for (const column of [
      'startedAt',
      'lastUserMessageAt',
      'lastActivityAt',
      'expiresAtColumn',
      'surveySentAt',
      'surveyScore',
    ] as const) {
      this[column] = new Float64Array(0);
    }
    this.interactions = new Uint32Array(0);
    this.userMessages = new Uint32Array(0);
    this.botMessages = new Uint32Array(0);
    this.generations = new Uint32Array(0);
    this.freeSlots = new Int32Array(0);
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    this.startedAt = growFloat(this.startedAt, capacity);
    this.lastUserMessageAt = growFloat(this.lastUserMessageAt, capacity);
    this.lastActivityAt = growFloat(this.lastActivityAt, capacity);
    this.expiresAtColumn = growFloat(this.expiresAtColumn, capacity);
    this.surveySentAt = growFloat(this.surveySentAt, capacity);
    this.surveyScore = growFloat(this.surveyScore, capacity);
    this.interactions = growUint(this.interactions, capacity);
    this.userMessages = growUint(this.userMessages, capacity);
    this.botMessages = growUint(this.botMessages, capacity);
    this.generations = growUint(this.generations, capacity);
    const free = new Int32Array(capacity);
    free.set(this.freeSlots);
    this.freeSlots = free;
    this.capacity = capacity;
  }
}

function growFloat(column: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(capacity);
  grown.set(column);
  return grown;
}

function growUint(column: Uint32Array, capacity: number): Uint32Array<ArrayBuffer> {
  const grown = new Uint32Array(capacity);
  grown.set(column);
  return grown;
}
