import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { ApplyInput, ApplyOutput, Backend, BackendHost } from '../../backend.js';
import { LateAnswerError } from '../../errors/late-answer-error.js';
import { markReported } from '../../errors/reported.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import { DAY_MS, HOUR_MS } from '../../ledger.js';
import type { LedgerCell } from '../../report.js';
import type { ChannelPolicy, ConversationRef, Session } from '../../types.js';
import { Commands } from './commands.js';
import { type Connections, openConnections } from './connections.js';
import { withDeadline } from './deadline.js';
import { fingerprint } from './fingerprint.js';
import { HookAcks } from './hook-acks.js';
import { conversationName, decodeName, encodeName, refOfName, shardOf } from './names.js';
import { type RedisBackendOptions, type ResolvedRedisOptions, resolveRedisOptions } from './options.js';
import { decodeEither, decodeLive, decodeNamed, decodeSnapshot, decodeStored } from './session-codec.js';
import { ShardExpiry } from './shard-expiry.js';
import { type ShardKeys, shardKeys } from './shard-keys.js';
import { StoreClock } from './store-clock.js';

/** The scripts' reply codes (first element of every reply), named on both sides. */
const REPLY = {
  nothing: '0',
  ongoing: '1',
  started: '2',
  ended: '3',
  needsId: '4',
  redelivered: '5',
  late: 'L',
} as const;

type ScriptReply = [code: string, storeNow: number, payload?: string, ended?: string, armAt?: string];
type SweepReply = [string, string, string, string[], string[], string, string];

/** Reply errors that mean "Redis is not serving right now", not "our script is wrong". */
const UNAVAILABLE_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|BUSY|OOM|NOREPLICAS|MISCONF)\b/;
/** Expiry batch size: one Lua call ends at most this many sessions. */
const SWEEP_BATCH = 500;
/** Deadlines are grouped into slices this long: one expiry job per shard and slice. */
const SLICE_MS = 25;

const flagsOf = new WeakMap<ChannelPolicy, string>();

/** The policy's endOn switches as the script reads them; policies are resolved once, so cache. */
function endOnFlags(policy: ChannelPolicy): string {
  let flags = flagsOf.get(policy);
  if (flags === undefined) {
    const { close, handoff, survey, interruption } = policy.endOn;
    flags = `${+close}${+handoff}${+survey}${+interruption}`;
    flagsOf.set(policy, flags);
  }
  return flags;
}

/** Random hex for the ids the scripts make, drawn from a pool (one syscall per 400 ids). */
let randomPool = '';
function randomHex19(): string {
  if (randomPool.length < 19) randomPool = randomBytes(4_096).toString('hex');
  const hex = randomPool.slice(0, 19);
  randomPool = randomPool.slice(19);
  return hex;
}

/**
 * Sessions in Redis for bots that run as several processes or machines. Conversations are
 * spread over shards (a hash tag each); a tracked message is one Lua call that reads,
 * creates or extends the session, remembers its delivery id and moves the ledger. Expiry is
 * one BullMQ job chain per shard ending due sessions in batches. Redis's clock dates
 * everything. Layout and guarantees: core/docs/redis.md.
 */
export class RedisBackend implements Backend {
  private readonly options: ResolvedRedisOptions;
  private readonly connections: Connections;
  private readonly redis: Redis | Cluster;
  private readonly commands: Commands;
  private readonly expiry: ShardExpiry;
  private readonly shards: ShardKeys[] = [];
  private readonly clock = new StoreClock();
  private readonly acks: HookAcks;
  private readonly cursors: Array<[string, string]> = [];
  private readonly arming = new Set<Promise<void>>();
  private host: BackendHost | undefined;
  private everReady = false;
  private connectFailed = false;
  private firstReady: Promise<void> | undefined;
  private outageReported = false;
  private readonly onConnectionError: (error: Error) => void;

  constructor(options: RedisBackendOptions) {
    this.options = resolveRedisOptions(options);
    for (let n = 0; n < this.options.shards; n++) {
      this.shards.push(shardKeys(this.options.prefix, n));
      this.cursors.push(['0', '0']);
    }
    this.connections = openConnections(this.options);
    this.redis = this.connections.commands;
    this.commands = new Commands(this.redis, this.options.commandTimeoutMs);
    this.acks = new HookAcks(this.redis, (error) => this.host?.reportError(error));
    this.redis.on('ready', () => {
      this.everReady = true;
      this.connectFailed = false;
      this.outageReported = false;
      // Learn Redis's clock before the first call, so that even it carries a not-after time.
      const sentAt = Date.now();
      this.redis
        .time()
        .then(([seconds, micros]) => {
          this.clock.observe(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), sentAt, Date.now());
        })
        .catch(() => {});
    });
    // ioredis and BullMQ reconnect by themselves; report an outage once, not every retry.
    const onConnectionError = (error: Error) => {
      this.connectFailed = true;
      if (this.outageReported) return;
      this.outageReported = true;
      this.host?.reportError(
        new StoreUnavailableError(`Redis connection failed: ${error.message}`, { cause: error }),
      );
    };
    this.onConnectionError = onConnectionError;
    this.redis.on('error', onConnectionError);
    this.connections.queue.on('error', onConnectionError);
    this.expiry = new ShardExpiry(this.connections.queue, this.options, onConnectionError);
  }

  attach(host: BackendHost): void {
    this.host = host;
    this.expiry.start(
      (shard) => this.sweep(shard),
      (error) => host.reportError(error),
      this.onConnectionError,
    );
  }

  apply(input: ApplyInput): Promise<ApplyOutput> {
    const waiting = this.whenReady();
    return waiting === undefined
      ? this.send(input, this.idArgument())
      : waiting.then(() => this.send(input, this.idArgument()));
  }

  /** The default ids are made by the script (one round trip); a user's generateId is asked only when needed. */
  private idArgument(): string {
    return this.host?.usesDefaultIds === false ? '' : `r:${randomHex19()}`;
  }

  private send(input: ApplyInput, idArgument: string): Promise<ApplyOutput> {
    const { ref, event, policy, deliveryId } = input;
    const name = conversationName(ref);
    const shard = shardOf(name, this.options.shards);
    const keys = this.shards[shard]!;
    const sentAt = Date.now();
    const notAfter = this.clock.notAfter(sentAt, this.options.commandTimeoutMs);
    const given = this.options.clock === 'tracker' ? String(input.now) : '';
    const fp = deliveryId === undefined ? '' : fingerprint(deliveryId);
    const channel = encodeName(ref.channel);
    const { logRetentionMs, ledgerRetentionMs } = this.options;
    const reply =
      event.type === 'message'
        ? this.commands.run<ScriptReply>(
            'trackMessage',
            keys.all,
            [
              name,
              channel,
              event.direction === 'inbound' ? 'in' : 'out',
              given,
              notAfter,
              idArgument,
              ref.userId === undefined ? '' : encodeName(ref.userId),
              policy.inactivityTimeoutMs,
              policy.redeliveryWindowMs,
              event.inReplyTo ?? '',
              event.startsSession === false ? '0' : '1',
              fp,
              logRetentionMs,
              ledgerRetentionMs,
              SLICE_MS,
              this.host?.listens('sessionEnd') === false ? '0' : '1',
            ],
            this.lateAnswer,
          )
        : this.commands.run<ScriptReply>(
            'applyEvent',
            keys.all,
            [
              name,
              channel,
              event.type,
              given,
              notAfter,
              policy.surveyWindowMs,
              endOnFlags(policy),
              event.type === 'end' ? event.reason : '',
              event.type === 'surveyAnswered' && event.score !== undefined ? String(event.score) : '',
              fp,
              policy.redeliveryWindowMs,
              logRetentionMs,
              ledgerRetentionMs,
              this.host?.listens('sessionEnd') === false ? '0' : '1',
              SLICE_MS,
            ],
            this.lateAnswer,
          );
    return reply.then(
      (answer) => this.afterApply(input, shard, sentAt, answer),
      (error: Error) => {
        throw this.unavailable(error);
      },
    );
  }

  private afterApply(
    input: ApplyInput,
    shard: number,
    sentAt: number,
    [code, storeNow, payload = '', ended = '', armAt = '']: ScriptReply,
  ): ApplyOutput | Promise<ApplyOutput> {
    this.clock.observe(Number(storeNow), sentAt, Date.now());
    if (code === REPLY.late) {
      throw this.unavailable(
        new Error('Redis ran the call after its caller had given up (command timeout); it did nothing'),
      );
    }
    // Redis answered: whatever failed before, the next failure is a new outage.
    this.outageReported = false;
    const { channel, conversationId } = input.ref;
    const keys = this.shards[shard]!;
    // Ends left to a worker (this process runs no sessionEnd handler): have the shard swept.
    if (armAt !== '') this.arm(shard, Number(armAt), Number(storeNow));
    // A process with no sessionEnd handler leaves ends to one that has (the scripts claim them so).
    const deliverEnds = this.host?.listens('sessionEnd') !== false;
    // An old session found past its deadline ended first; announce it before its successor.
    if (ended !== '' && deliverEnds) this.announceEnd(keys, decodeSnapshot(channel, conversationId, ended));
    switch (code) {
      case REPLY.ongoing:
        return { session: decodeLive(channel, conversationId, payload), isNew: false };
      case REPLY.started: {
        const session = decodeLive(channel, conversationId, payload);
        this.announceStart(keys, session);
        if (armAt !== '') {
          this.expiry
            .arm(shard, Number(armAt), Number(storeNow))
            .catch((error) => this.host?.reportError(error));
        }
        return { session, isNew: true };
      }
      case REPLY.ended: {
        const session = decodeSnapshot(channel, conversationId, payload);
        if (deliverEnds) this.announceEnd(keys, session);
        return { session, isNew: false };
      }
      case REPLY.redelivered:
        return { session: decodeEither(channel, conversationId, payload), isNew: false, redelivered: true };
      case REPLY.needsId:
        return this.send(input, `i:${input.newId()}`);
      default:
        return { session: undefined, isNew: false };
    }
  }

  /** Adds a shard's expiry job off the caller's path; close() waits for the ones in flight. */
  private arm(shard: number, at: number, storeNow: number): void {
    const added = this.expiry.arm(shard, at, storeNow).catch((error) => this.host?.reportError(error));
    this.arming.add(added);
    void added.then(() => this.arming.delete(added));
  }

  /**
   * A call this process rejected at its deadline, answered later with an effect: the one window
   * no not-after time closes (the script ran just before Redis stalled, its answer waited out
   * the stall). Its session's start and end are announced from the store all the same; this
   * reports that a rejected call was counted, so that the numbers can be reconciled.
   */
  private readonly lateAnswer = ([code]: ScriptReply): void => {
    if (code !== REPLY.ongoing && code !== REPLY.started && code !== REPLY.ended) return;
    this.host?.reportError(new LateAnswerError());
  };

  /** Delivers sessionStart here and now; acknowledged once every handler settled. */
  private announceStart(keys: ShardKeys, session: Session): void {
    void this.host!.deliverStart(session).then(() => this.acks.add(keys.pendingStarts, session.id));
  }

  private announceEnd(keys: ShardKeys, session: Session): void {
    void this.host!.deliverEnd(session).then(() => this.acks.add(keys.pendingEnds, session.id));
  }

  /** One shard's expiry: batches until nothing is due, each batch's hooks delivered and acknowledged. */
  private async sweep(shard: number): Promise<{ nextAt: number | undefined; storeNow: number }> {
    const keys = this.shards[shard]!;
    const cursors = this.cursors[shard]!;
    const given = this.options.clock === 'tracker' ? String(this.host!.now()) : '';
    for (;;) {
      const [storeNow, more, nextAt, ends, starts, endsCursor, startsCursor] =
        await this.commands.run<SweepReply>('sweepShard', keys.all, [
          given,
          SWEEP_BATCH,
          this.options.hookLeaseMs,
          this.options.logRetentionMs,
          this.options.ledgerRetentionMs,
          SLICE_MS,
          cursors[0],
          cursors[1],
        ]);
      cursors[0] = endsCursor;
      cursors[1] = startsCursor;
      const delivered: Array<Promise<void>> = [];
      // Starts a dead process never announced go first: no one should see an end without its start.
      for (let i = 0; i < starts.length; i += 2) {
        const session = decodeNamed(starts[i]!, starts[i + 1]!);
        if (session === undefined) continue;
        delivered.push(
          this.host!.deliverStart({
            ...session,
            status: 'active',
            endedAt: undefined,
            endReason: undefined,
          }).then(() => this.acks.add(keys.pendingStarts, session.id)),
        );
      }
      for (let i = 0; i < ends.length; i += 2) {
        const session = decodeNamed(ends[i]!, ends[i + 1]!);
        if (session === undefined) continue;
        delivered.push(
          this.host!.deliverEnd(session).then(() => this.acks.add(keys.pendingEnds, session.id)),
        );
      }
      await Promise.all(delivered);
      await this.acks.flush();
      if (more !== '1')
        return { nextAt: nextAt === '' ? undefined : Number(nextAt), storeNow: Number(storeNow) };
    }
  }

  async get(ref: ConversationRef, now: number): Promise<Session | undefined> {
    await this.whenReady();
    const name = conversationName(ref);
    const keys = this.shards[shardOf(name, this.options.shards)]!;
    const record = await this.read(this.redis.hgetBuffer(keys.records, name));
    const session = record === null ? undefined : decodeStored(ref.channel, ref.conversationId, record);
    if (session === undefined) return undefined;
    // Past its deadline is over, even if the sweep has not got there yet.
    const storeNow = this.options.clock === 'tracker' ? now : this.clock.now();
    return storeNow >= session.expiresAt ? undefined : session;
  }

  async ledger(firstHour: number, lastHour: number): Promise<LedgerCell[]> {
    await this.whenReady();
    const oldest = this.clock.now() - this.options.ledgerRetentionMs - DAY_MS;
    const firstDay = Math.floor(Math.max(firstHour, oldest) / DAY_MS);
    const lastDay = Math.floor(lastHour / DAY_MS);
    const reads: Array<Promise<LedgerCell[]>> = [];
    for (const keys of this.shards) {
      for (let day = firstDay; day <= lastDay; day++) {
        reads.push(
          this.read(this.redis.hgetall(`${keys.ledgerPrefix}${day}`)).then((fields) => {
            const cells: LedgerCell[] = [];
            for (const [field, value] of Object.entries(fields)) {
              const [hh, channel, name] = field.split('\u001f') as [string, string, string];
              const hour = day * DAY_MS + Number(hh) * HOUR_MS;
              if (hour < firstHour || hour > lastHour) continue;
              cells.push({ hour, channel: decodeName(channel), field: name, value: Number(value) });
            }
            return cells;
          }),
        );
      }
    }
    try {
      return (await Promise.all(reads)).flat();
    } catch (error) {
      throw this.unavailable(error as Error);
    }
  }

  async ledgerTotals(): Promise<LedgerCell[]> {
    await this.whenReady();
    const all = await Promise.all(
      this.shards.map((keys) => this.read(this.redis.hgetall(`${keys.ledgerPrefix}total`))),
    );
    const cells: LedgerCell[] = [];
    for (const fields of all) {
      for (const [field, value] of Object.entries(fields)) {
        const [channel, name] = field.split('\u001f') as [string, string];
        cells.push({ hour: 0, channel: decodeName(channel), field: name, value: Number(value) });
      }
    }
    return cells;
  }

  async activeCounts(): Promise<Map<string, number>> {
    await this.whenReady();
    const counts = new Map<string, number>();
    try {
      const all = await Promise.all(this.shards.map((keys) => this.read(this.redis.hgetall(keys.active))));
      for (const fields of all) {
        for (const [channel, value] of Object.entries(fields)) {
          const name = decodeName(channel);
          counts.set(name, (counts.get(name) ?? 0) + Number(value));
        }
      }
    } catch (error) {
      throw this.unavailable(error as Error);
    }
    for (const [channel, count] of counts) if (count <= 0) counts.delete(channel);
    return counts;
  }

  async *liveSessions(options: { channel?: string }): AsyncIterable<Session> {
    await this.whenReady();
    const wanted = options.channel === undefined ? undefined : `${encodeName(options.channel)}\u001f`;
    for (const keys of this.shards) {
      let cursor = '0';
      do {
        const [next, flat] = await this.read(this.redis.hscanBuffer(keys.records, cursor, 'COUNT', 500));
        cursor = next.toString();
        const now = this.clock.now();
        for (let i = 0; i < flat.length; i += 2) {
          const name = flat[i]!.toString('utf8');
          if (wanted !== undefined && !name.startsWith(wanted)) continue;
          const { channel, conversationId } = refOfName(name);
          const session = decodeStored(channel, conversationId, flat[i + 1]!);
          if (session === undefined) continue;
          if (this.options.clock === 'tracker' || session.expiresAt > now) yield session;
        }
      } while (cursor !== '0');
    }
  }

  async *endedSessions(options: { since: number; until: number; channel?: string }): AsyncIterable<Session> {
    await this.whenReady();
    // Log entries are written when a session ends, never before its endedAt (on Redis's clock).
    const start = this.options.clock === 'tracker' ? '-' : `${Math.max(0, Math.floor(options.since))}-0`;
    for (const keys of this.shards) {
      let from = start;
      for (;;) {
        const page = (await this.redis.xrange(keys.log, from, '+', 'COUNT', 500)) as Array<
          [string, string[]]
        >;
        // An entry holds one ended session, or every session a sweep batch ended:
        // c, conversation, r, snapshot, repeated.
        for (const [, fields] of page) {
          for (let i = 0; i + 3 < fields.length; i += 4) {
            const session = decodeNamed(fields[i + 1]!, fields[i + 3]!);
            if (session === undefined) continue;
            const endedAt = session.endedAt!;
            if (endedAt < options.since || endedAt >= options.until) continue;
            if (options.channel !== undefined && session.channel !== options.channel) continue;
            yield session;
          }
        }
        if (page.length < 500) break;
        from = `(${page[page.length - 1]![0]}`;
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.arming]);
    await this.acks.flush();
    await this.expiry.close();
    await Promise.all([quit(this.connections.commands), quit(this.connections.queue)]);
  }

  /** A read with the command deadline; failures as the tracker should see them. */
  private read<T>(promise: Promise<T>): Promise<T> {
    return withDeadline(
      promise,
      this.options.commandTimeoutMs,
      () => new Error(`Redis did not answer within ${this.options.commandTimeoutMs} ms`),
    ).catch((error: Error) => {
      throw this.unavailable(error);
    });
  }

  /** Undefined when connected (the hot path); otherwise waits for the first connection only. */
  private whenReady(): Promise<void> | undefined {
    if (this.redis.status === 'ready') return undefined;
    if (this.everReady || this.connectFailed) {
      // Lost the connection, or the first attempt failed: fail fast so the bot answers without a stamp.
      return Promise.reject(this.unavailable(new Error(`connection ${this.redis.status}`)));
    }
    // One listener for every caller waiting on the first connection; a failed first attempt
    // fails them at once, as an outage in mid-run does.
    this.firstReady ??= new Promise<void>((resolve, reject) => {
      const onReady = () => {
        this.redis.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        this.redis.off('ready', onReady);
        this.firstReady = undefined;
        reject(this.unavailable(error));
      };
      this.redis.once('ready', onReady);
      this.redis.once('error', onError);
    });
    return withDeadline(this.firstReady, this.options.commandTimeoutMs, () =>
      this.unavailable(new Error(`no connection within ${this.options.commandTimeoutMs} ms`)),
    );
  }

  /**
   * A failed call as the tracker should see it: Redis not serving → StoreUnavailableError,
   * reported once per outage (the first one is emitted as `error`, later ones are marked as
   * reported); anything else (a script bug) as it is.
   */
  private unavailable(error: Error): Error {
    if (error.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(error.message)) return error;
    const wrapped =
      error instanceof StoreUnavailableError
        ? error
        : new StoreUnavailableError(`Redis is unavailable: ${error.message}`, { cause: error });
    if (this.outageReported) markReported(wrapped);
    this.outageReported = true;
    return wrapped;
  }
}

async function quit(client: Connections['commands']): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
