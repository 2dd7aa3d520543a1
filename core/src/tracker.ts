import { v7 as uuidv7 } from 'uuid';
import type { ApplyInput, ApplyOutput, Backend, BackendHost } from './backend.js';
import { memoryBackend } from './backends/memory/index.js';
import { ConfigError } from './errors/config-error.js';
import { HookError } from './errors/hook-error.js';
import { isReported } from './errors/reported.js';
import { StoreUnavailableError } from './errors/store-unavailable-error.js';
import { TrackerClosedError } from './errors/tracker-closed-error.js';
import { PolicySet } from './policy.js';
import { buildReport, hoursOf, type ReportQuery, type ReportRow, resolveQuery } from './report.js';
import type {
  ChannelPolicy,
  ChannelPolicyOverride,
  ConversationRef,
  Direction,
  EndReason,
  Session,
  SessionStamp,
  TrackerEvents,
  UntrackedCall,
} from './types.js';
import { END_REASONS } from './types.js';

export interface SessionTrackerOptions {
  /** Where sessions live. Default: `memoryBackend()`, correct for one process. */
  backend?: Backend;
  /** Per-channel overrides merged field by field over `DEFAULT_POLICIES`. */
  channels?: Record<string, ChannelPolicyOverride>;
  /** Session id generator. Default: UUIDv7 (time-ordered). */
  generateId?: () => string;
  /** Clock in epoch milliseconds. Default: `Date.now`. (The Redis backend dates sessions by Redis's clock.) */
  now?: () => number;
  /**
   * How long a `sessionStart` / `sessionEnd` handler may run before it is reported as a
   * `HookError` and its slot released, so that one stuck hook never stalls expiry. The end
   * counts as delivered (it is not redelivered). Default 10,000 ms.
   */
  hookTimeoutMs?: number;
  /** How long `close()` waits for calls in flight and running hooks before giving up. Default 10,000 ms. */
  closeTimeoutMs?: number;
}

export interface TrackOptions {
  direction: Direction;
  /**
   * Outbound only: the session the bot is answering (its `stamp.sessionId`). If that session
   * has ended meanwhile (a handoff in the handler, a deadline), the reply is not counted and
   * opens no new session, and `track` resolves to undefined. Without it, a bot message with
   * no active session opens one (a proactive message).
   */
  inReplyTo?: string;
  /**
   * `false`: the message counts only inside an active session and never opens one (a
   * help-center search before any article was opened); `track` resolves to undefined when
   * no session is active. Default true.
   */
  startsSession?: boolean;
  /**
   * The platform's id for this delivery (Telegram `update_id`, Meta `mid`, Twilio
   * `MessageSid`, …). A repeat within the channel's `redeliveryWindowMs` counts nothing,
   * opens nothing and resolves to the original delivery's stamp with `redelivered: true`.
   */
  deliveryId?: string;
}

/** Options of the explicit events (handoff, surveySent, end). */
export interface EventOptions {
  /** The platform event's id: a repeat within the redelivery window does nothing. */
  deliveryId?: string;
}

export interface SurveyAnswerOptions extends EventOptions {
  /** The answer's score, 0 to 100 (your scale: 1-5 stars, NPS 0-10, …); kept on the session. */
  score?: number;
}

export interface SessionTracker {
  /** Counts one message of a conversation and returns its session stamp. */
  track(
    ref: ConversationRef,
    options: { direction: Direction; inReplyTo?: undefined; startsSession?: true; deliveryId?: string },
  ): Promise<SessionStamp>;
  /**
   * A reply to `inReplyTo`: undefined when that session has ended (the reply is not counted).
   * With `startsSession: false`: undefined when no session is active.
   */
  track(ref: ConversationRef, options: TrackOptions): Promise<SessionStamp | undefined>;
  /** The conversation went to a human: ends the session with `handoff` where the policy says so. */
  handoff(ref: ConversationRef, options?: EventOptions): Promise<Session | undefined>;
  /** A satisfaction survey was sent in the active session. */
  surveySent(ref: ConversationRef, options?: EventOptions): Promise<Session | undefined>;
  /** The survey was answered: ends the session with `survey` if within the survey window. */
  surveyAnswered(ref: ConversationRef, options?: SurveyAnswerOptions): Promise<Session | undefined>;
  /** Ends the active session with `reason`, unless the channel's `endOn` turns that reason off. */
  end(ref: ConversationRef, reason: EndReason, options?: EventOptions): Promise<Session | undefined>;
  /** The conversation's active session, or undefined. */
  get(ref: ConversationRef): Promise<Session | undefined>;
  /**
   * Usage figures from the store's ledger: rows per channel (and hour or day) with sessions,
   * ends by reason, interactions, durations, surveys and live sessions. Every process on one
   * store reads the same numbers. Definitions: core/docs/report.md.
   */
  report(query: ReportQuery): Promise<ReportRow[]>;
  /** The live sessions (of one channel), at most `limit` of them. */
  sessions(options?: { channel?: string; limit?: number }): AsyncIterable<Session>;
  /** The session log: every session that ended in [since, until), once, while the store keeps it. */
  endedSessions(options: {
    since: number | Date;
    until?: number | Date;
    channel?: string;
  }): AsyncIterable<Session>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof TrackerEvents>(event: E, handler: TrackerEvents[E]): () => void;
  /** The resolved policy of a channel (defaults merged with overrides). */
  policyOf(channel: string): ChannelPolicy;
  /** Graceful shutdown: stops the backend; no timer or connection is left. */
  close(): Promise<void>;
}

const INBOUND = { type: 'message', direction: 'inbound' } as const;
const OUTBOUND = { type: 'message', direction: 'outbound' } as const;
const OPTION_FIELDS = new Set([
  'backend',
  'channels',
  'generateId',
  'now',
  'hookTimeoutMs',
  'closeTimeoutMs',
]);

/**
 * Creates the session tracker every connector calls.
 *
 * @example
 * const tracker = createSessionTracker({ channels: { web: { inactivityTimeoutMs: 10 * 60_000 } } });
 * tracker.on('sessionEnd', (s) => console.log(s.id, s.endReason));
 * const stamp = await tracker.track({ channel: 'web', conversationId: 'c1', userId: 'u1' }, { direction: 'inbound' });
 */
export function createSessionTracker(options: SessionTrackerOptions = {}): SessionTracker {
  return new Tracker(options);
}

class Tracker implements SessionTracker {
  private readonly backend: Backend;
  private readonly policies: PolicySet;
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly startHandlers: Array<TrackerEvents['sessionStart']> = [];
  private readonly endHandlers: Array<TrackerEvents['sessionEnd']> = [];
  private readonly errorHandlers: Array<TrackerEvents['error']> = [];
  private readonly untrackedHandlers: Array<TrackerEvents['untracked']> = [];
  private readonly hookTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  /** Calls and hooks not settled yet: close() waits for them, up to closeTimeoutMs. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(options: SessionTrackerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError('options', `options must be an object, got ${String(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_FIELDS.has(key)) {
        throw new ConfigError(
          key,
          `${key} is not a tracker option (expected one of ${[...OPTION_FIELDS].join(', ')})`,
        );
      }
    }
    for (const field of ['generateId', 'now'] as const) {
      if (options[field] !== undefined && typeof options[field] !== 'function') {
        throw new ConfigError(field, `${field} must be a function, got ${typeof options[field]}`);
      }
    }
    for (const field of ['hookTimeoutMs', 'closeTimeoutMs'] as const) {
      const value = options[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
        throw new ConfigError(
          field,
          `${field} must be a positive number of milliseconds, got ${String(value)}`,
        );
      }
    }
    this.hookTimeoutMs = options.hookTimeoutMs ?? 10_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.policies = new PolicySet(options.channels);
    this.clock = options.now ?? Date.now;
    this.newId = options.generateId ?? uuidv7;
    this.backend = options.backend ?? memoryBackend();
    const host: BackendHost = {
      now: this.clock,
      usesDefaultIds: options.generateId === undefined,
      policyOf: (channel) => this.policies.of(channel),
      listens: (hook) => (hook === 'sessionStart' ? this.startHandlers : this.endHandlers).length > 0,
      deliverStart: (session) => this.deliver('sessionStart', session) ?? Promise.resolve(),
      deliverEnd: (session) => this.deliver('sessionEnd', session) ?? Promise.resolve(),
      reportError: (error) => this.reportError(error),
    };
    this.backend.attach(host);
  }

  track(
    ref: ConversationRef,
    options: { direction: Direction; inReplyTo?: undefined; startsSession?: true; deliveryId?: string },
  ): Promise<SessionStamp>;
  track(ref: ConversationRef, options: TrackOptions): Promise<SessionStamp | undefined>;
  track(ref: ConversationRef, options: TrackOptions): Promise<SessionStamp | undefined> {
    const direction = options?.direction;
    if (direction !== 'inbound' && direction !== 'outbound') {
      return Promise.reject(
        new TypeError(`track options.direction must be 'inbound' or 'outbound', got ${String(direction)}`),
      );
    }
    const { inReplyTo, startsSession, deliveryId } = options;
    if (deliveryId !== undefined && !isDeliveryId(deliveryId))
      return Promise.reject(badDeliveryId(deliveryId));
    if (inReplyTo === undefined && (startsSession === undefined || startsSession === true)) {
      return this.run(ref, direction === 'inbound' ? INBOUND : OUTBOUND, toStampOrUndefined, deliveryId);
    }
    if (
      inReplyTo !== undefined &&
      (direction !== 'outbound' || typeof inReplyTo !== 'string' || inReplyTo === '')
    ) {
      return Promise.reject(
        new TypeError(
          `track options.inReplyTo must be a session id on an outbound message, got ${JSON.stringify(inReplyTo)} on ${direction}`,
        ),
      );
    }
    if (startsSession !== undefined && typeof startsSession !== 'boolean') {
      return Promise.reject(
        new TypeError(`track options.startsSession must be a boolean, got ${JSON.stringify(startsSession)}`),
      );
    }
    return this.run(
      ref,
      { type: 'message', direction, inReplyTo, startsSession },
      toStampOrUndefined,
      deliveryId,
    );
  }

  handoff(ref: ConversationRef, options?: EventOptions): Promise<Session | undefined> {
    return this.runEvent(ref, { type: 'handoff' }, options, 'handoff');
  }

  surveySent(ref: ConversationRef, options?: EventOptions): Promise<Session | undefined> {
    return this.runEvent(ref, { type: 'surveySent' }, options, 'surveySent');
  }

  surveyAnswered(ref: ConversationRef, options?: SurveyAnswerOptions): Promise<Session | undefined> {
    const score = options?.score;
    if (
      score !== undefined &&
      (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 100)
    ) {
      return Promise.reject(
        new TypeError(
          `surveyAnswered options.score must be a number from 0 to 100, got ${JSON.stringify(score)}`,
        ),
      );
    }
    return this.runEvent(ref, { type: 'surveyAnswered', score }, options, 'surveyAnswered');
  }

  end(ref: ConversationRef, reason: EndReason, options?: EventOptions): Promise<Session | undefined> {
    if (!END_REASONS.includes(reason)) {
      return Promise.reject(
        new TypeError(`end reason must be one of ${END_REASONS.join(', ')}, got ${String(reason)}`),
      );
    }
    return this.runEvent(ref, { type: 'end', reason }, options, 'end');
  }

  async get(ref: ConversationRef): Promise<Session | undefined> {
    this.checkOpen('get');
    checkRef(ref);
    try {
      return await this.track_(this.backend.get(ref, this.clock()));
    } catch (error) {
      this.reportFailure(error);
      throw error;
    }
  }

  async report(query: ReportQuery): Promise<ReportRow[]> {
    this.checkOpen('report');
    const resolved = resolveQuery(query);
    const { first, last } = hoursOf(resolved);
    try {
      // All time, per channel: one read of the totals where the backend keeps them.
      const allTime =
        resolved.from === 0 &&
        !resolved.byHour &&
        !resolved.byDay &&
        resolved.to >= this.clock() &&
        this.backend.ledgerTotals !== undefined;
      const [cells, active] = await Promise.all([
        allTime ? this.backend.ledgerTotals!() : last < first ? [] : this.backend.ledger(first, last),
        this.backend.activeCounts(),
      ]);
      return buildReport(resolved, cells, active);
    } catch (error) {
      this.reportFailure(error);
      throw error;
    }
  }

  async *sessions(options: { channel?: string; limit?: number } = {}): AsyncIterable<Session> {
    this.checkOpen('sessions');
    const { channel, limit = Number.POSITIVE_INFINITY } = options;
    if (channel !== undefined && typeof channel !== 'string') {
      throw new TypeError(`sessions options.channel must be a channel id, got ${JSON.stringify(channel)}`);
    }
    if (!(limit > 0))
      throw new TypeError(`sessions options.limit must be a positive number, got ${String(limit)}`);
    let given = 0;
    for await (const session of this.backend.liveSessions({ channel })) {
      yield session;
      if (++given >= limit) return;
    }
  }

  async *endedSessions(options: {
    since: number | Date;
    until?: number | Date;
    channel?: string;
  }): AsyncIterable<Session> {
    this.checkOpen('endedSessions');
    const since = options?.since instanceof Date ? options.since.getTime() : options?.since;
    const until =
      options.until instanceof Date ? options.until.getTime() : (options.until ?? Number.MAX_SAFE_INTEGER);
    for (const [field, value] of [
      ['since', since],
      ['until', until],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(
          `endedSessions options.${field} must be a Date or epoch milliseconds, got ${String(value)}`,
        );
      }
    }
    yield* this.backend.endedSessions({ since: since as number, until, channel: options.channel });
  }

  on<E extends keyof TrackerEvents>(event: E, handler: TrackerEvents[E]): () => void {
    if (typeof handler !== 'function') throw new TypeError(`on('${event}') needs a function handler`);
    const list = this.handlersOf(event) as Array<TrackerEvents[E]>;
    list.push(handler);
    return () => {
      const at = list.indexOf(handler);
      if (at >= 0) list.splice(at, 1);
    };
  }

  policyOf(channel: string): ChannelPolicy {
    return this.policies.of(channel);
  }

  /** Idempotent: every call gets the same promise. Bounded by closeTimeoutMs, even during an outage. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const pending = this.inFlight.size;
    const drained = await settleWithin(Promise.allSettled([...this.inFlight]), this.closeTimeoutMs);
    const stopped = await settleWithin(
      Promise.resolve().then(() => this.backend.close()),
      this.closeTimeoutMs,
    );
    if (!drained || !stopped) {
      const left = [
        drained ? undefined : `${this.inFlight.size} of ${pending} calls or hooks still running`,
        stopped ? undefined : 'the backend did not stop (store unreachable?)',
      ].filter(Boolean);
      this.reportError(new Error(`close() gave up after ${this.closeTimeoutMs} ms: ${left.join('; ')}`));
    }
  }

  /** Remembers a pending call or hook until it settles, for close(). */
  private track_<T>(promise: Promise<T> | T): Promise<T> | T {
    if (!(promise instanceof Promise)) return promise;
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** A rejected call: emitted as `error` unless the backend reported it already (one per outage). */
  private reportFailure(error: unknown): void {
    if (!isReported(error)) this.reportError(error as Error);
  }

  private runEvent(
    ref: ConversationRef,
    event: ApplyInput['event'],
    options: EventOptions | undefined,
    method: string,
  ): Promise<Session | undefined> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      return Promise.reject(new TypeError(`${method} options must be an object, got ${String(options)}`));
    }
    const deliveryId = options?.deliveryId;
    if (deliveryId !== undefined && !isDeliveryId(deliveryId))
      return Promise.reject(badDeliveryId(deliveryId));
    return this.run(
      ref,
      event,
      toSession,
      deliveryId === undefined ? undefined : eventKey(event, deliveryId),
    );
  }

  /** One event through the backend, then the hooks; `finish` shapes the caller's answer. */
  private run<T>(
    ref: ConversationRef,
    event: ApplyInput['event'],
    finish: (out: ApplyOutput) => T,
    deliveryId?: string,
  ): Promise<T> {
    try {
      this.checkOpen('track');
      checkRef(ref);
      const input: ApplyInput = {
        ref,
        event,
        policy: this.policies.of(ref.channel),
        now: this.clock(),
        newId: this.newId,
        deliveryId,
      };
      const applied = this.backend.apply(input);
      if (applied instanceof Promise) {
        return this.track_(
          applied.then(
            (out) => this.announce(out, finish),
            (error) => {
              this.reportFailure(error);
              if (error instanceof StoreUnavailableError) this.reportUntracked(ref, event, error);
              throw error;
            },
          ),
        ) as Promise<T>;
      }
      return Promise.resolve(this.announce(applied, finish));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private announce<T>(out: ApplyOutput, finish: (out: ApplyOutput) => T): T {
    // An old session ends before its successor starts.
    if (out.ended !== undefined) this.deliver('sessionEnd', out.ended);
    if (out.started !== undefined) this.deliver('sessionStart', out.started);
    return finish(out);
  }

  /**
   * Calls every handler of a session event. A handler that throws or rejects emits `error`
   * and never breaks tracking. Returns a promise only when some handler is async, so the
   * hot path allocates nothing when hooks are synchronous.
   */
  private deliver(hook: 'sessionStart' | 'sessionEnd', session: Session): Promise<void> | undefined {
    const handlers = hook === 'sessionStart' ? this.startHandlers : this.endHandlers;
    if (handlers.length === 0) return undefined;
    let pending: Array<Promise<void>> | undefined;
    for (const handler of handlers.slice()) {
      try {
        const result = handler(session);
        if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
          pending ??= [];
          pending.push(this.bounded(hook, session, Promise.resolve(result)));
        }
      } catch (cause) {
        this.reportError(new HookError(hook, session, cause));
      }
    }
    if (pending === undefined) return undefined;
    return this.track_(Promise.all(pending).then(() => undefined)) as Promise<void>;
  }

  /** A handler's promise, given up on after hookTimeoutMs (reported as HookError) so it never holds a slot. */
  private bounded(
    hook: 'sessionStart' | 'sessionEnd',
    session: Session,
    result: Promise<void>,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.reportError(
          new HookError(
            hook,
            session,
            new Error(`did not settle within hookTimeoutMs (${this.hookTimeoutMs} ms)`),
          ),
        );
        resolve();
      }, this.hookTimeoutMs);
      timer.unref?.();
      result.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (cause) => {
          clearTimeout(timer);
          this.reportError(new HookError(hook, session, cause));
          resolve();
        },
      );
    });
  }

  /** Every call the store did not take, one `untracked` each (`error` is once per outage). */
  private reportUntracked(ref: ConversationRef, event: ApplyInput['event'], error: Error): void {
    if (this.untrackedHandlers.length === 0) return;
    const call: UntrackedCall = {
      ref,
      event: event.type === 'message' ? event.direction : event.type,
      error,
    };
    for (const handler of this.untrackedHandlers.slice()) {
      try {
        handler(call);
      } catch (thrown) {
        this.reportError(thrown instanceof Error ? thrown : new Error(String(thrown)));
      }
    }
  }

  private reportError(error: Error): void {
    if (this.errorHandlers.length === 0) {
      process.emitWarning(error);
      return;
    }
    for (const handler of this.errorHandlers.slice()) {
      try {
        handler(error);
      } catch {
        // An error handler that throws has nowhere left to report to.
      }
    }
  }

  private handlersOf(event: keyof TrackerEvents): Array<unknown> {
    switch (event) {
      case 'sessionStart':
        return this.startHandlers;
      case 'sessionEnd':
        return this.endHandlers;
      case 'error':
        return this.errorHandlers;
      case 'untracked':
        return this.untrackedHandlers;
      default:
        throw new TypeError(
          `unknown tracker event ${String(event)} (expected sessionStart, sessionEnd, error or untracked)`,
        );
    }
  }

  private checkOpen(method: string): void {
    if (this.closing !== undefined) throw new TrackerClosedError(method);
  }
}

/** Longest ids a ref may carry (UTF-16 code units): far above any platform's, small enough for a key. */
const MAX_ID_LENGTH = 1_024;
const MAX_CHANNEL_LENGTH = 128;

/** Resolves true when `promise` settled within `ms`, false when the wait gave up. */
function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref?.();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

function checkRef(ref: ConversationRef): void {
  if (typeof ref !== 'object' || ref === null)
    throw new TypeError(`ref must be a ConversationRef, got ${String(ref)}`);
  if (typeof ref.channel !== 'string' || ref.channel === '') {
    throw new TypeError(`ref.channel must be a non-empty string, got ${JSON.stringify(ref.channel)}`);
  }
  if (typeof ref.conversationId !== 'string' || ref.conversationId === '') {
    throw new TypeError(
      `ref.conversationId must be a non-empty string, got ${JSON.stringify(ref.conversationId)}`,
    );
  }
  // Any string is an id (lone surrogates included: backends keep them apart), up to a length.
  for (const [field, value, max] of [
    ['channel', ref.channel, MAX_CHANNEL_LENGTH],
    ['conversationId', ref.conversationId, MAX_ID_LENGTH],
    ['userId', ref.userId, MAX_ID_LENGTH],
  ] as const) {
    if (typeof value === 'string' && value.length > max) {
      throw new TypeError(`ref.${field} must be at most ${max} characters, got ${value.length}`);
    }
  }
  if (ref.userId !== undefined && typeof ref.userId !== 'string') {
    throw new TypeError(`ref.userId must be a string when given, got ${JSON.stringify(ref.userId)}`);
  }
}

/** Delivery ids are the platform's: any non-empty string up to this length. */
const MAX_DELIVERY_ID_LENGTH = 512;

function isDeliveryId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_DELIVERY_ID_LENGTH;
}

function badDeliveryId(value: unknown): TypeError {
  return new TypeError(
    `deliveryId must be a non-empty string of at most ${MAX_DELIVERY_ID_LENGTH} characters, got ${JSON.stringify(value)?.slice(0, 80)}`,
  );
}

/**
 * An explicit event's delivery id, kept apart from the messages' ids and from other kinds of
 * event: a platform event that is both a message and an end (a failed delivery that ends the
 * session `interrupted`, an `endOfConversation` activity) passes the same platform id to both
 * calls, and each must count once, not the second as a repeat of the first.
 */
function eventKey(event: ApplyInput['event'], deliveryId: string): string {
  const kind = event.type === 'end' ? `end:${event.reason}` : event.type;
  return `${kind}\u0000${deliveryId}`;
}

function toStampOrUndefined(out: ApplyOutput): SessionStamp | undefined {
  const session = out.session;
  if (session === undefined) return undefined;
  return { sessionId: session.id, isNew: out.isNew, redelivered: out.redelivered === true, session };
}

function toSession(out: ApplyOutput): Session | undefined {
  return out.session;
}
