import type { Cluster, Redis } from 'ioredis';
import type { ApplyInput, ApplyOutput, Backend, BackendHost } from '../../backend.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import type { ChannelPolicy, ConversationRef, Session } from '../../types.js';
import { Commands } from './commands.js';
import { type Connections, openConnections } from './connections.js';
import { type ExpiryJobData, type ExpiryOutcome, ExpiryQueues } from './expiry-queues.js';
import { type RedisBackendOptions, type ResolvedRedisOptions, resolveRedisOptions } from './options.js';
import { decodeRecord, decodeReply, decodeSnapshot, SEPARATOR } from './session-codec.js';

const CODE_STARTED = 2;
/** trackMessage found no session and was given no id to start one with. */
const NEEDS_ID = '4';
const CODE_ENDED = 3;

/** Reply errors that mean "Redis is not serving right now", not "our script is wrong". */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|BUSY)\b/;

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

/**
 * Sessions in Redis for bots that run as several processes or machines. An ongoing
 * session costs one Lua call per message; each session has one BullMQ delayed job at its
 * deadline, re-armed lazily, which delivers `sessionEnd` exactly once in normal operation
 * and at least once across a crash mid-hook.
 */
export class RedisBackend implements Backend {
  private readonly options: ResolvedRedisOptions;
  private readonly connections: Connections;
  private readonly redis: Redis | Cluster;
  private readonly commands: Commands;
  private readonly expiry: ExpiryQueues;
  private host: BackendHost | undefined;
  private everReady = false;
  private firstReady: Promise<void> | undefined;
  private reportedOutage = false;

  constructor(options: RedisBackendOptions) {
    this.options = resolveRedisOptions(options);
    this.connections = openConnections(this.options);
    this.redis = this.connections.commands;
    this.commands = new Commands(this.redis);
    this.redis.on('ready', () => {
      this.everReady = true;
      this.reportedOutage = false;
    });
    // ioredis and BullMQ reconnect by themselves; report an outage once, not every retry.
    const onConnectionError = (error: Error) => {
      if (this.reportedOutage) return;
      this.reportedOutage = true;
      this.host?.reportError(
        new StoreUnavailableError(`Redis connection failed: ${error.message}`, { cause: error }),
      );
    };
    this.redis.on('error', onConnectionError);
    this.connections.queue.on('error', onConnectionError);
    this.expiry = new ExpiryQueues(this.connections.queue, this.options, onConnectionError);
  }

  attach(host: BackendHost): void {
    this.host = host;
    this.expiry.startWorkers(
      (sessionId, data) => this.checkExpiry(sessionId, data),
      (error) => host.reportError(error),
    );
  }

  apply(input: ApplyInput): Promise<ApplyOutput> {
    const waiting = this.whenReady();
    return waiting === undefined ? this.send(input, '') : waiting.then(() => this.send(input, ''));
  }

  /**
   * One command for the event. A message goes first without a session id: generating one
   * for every message costs more than a second round trip for the few that start a session
   * (the script answers NEEDS_ID, and the retry carries a fresh id).
   */
  private send(input: ApplyInput, newId: string): Promise<ApplyOutput> {
    const { ref, event, policy, now } = input;
    const sessionKey = this.sessionKey(ref);
    if (event.type !== 'message') {
      return this.commands
        .endSession(
          sessionKey,
          `${sessionKey}:ended`,
          event.type,
          now,
          policy.surveyWindowMs,
          endOnFlags(policy),
          event.type === 'end' ? event.reason : '',
          this.options.retentionMs,
        )
        .then((reply) => this.afterApply(ref, reply), unavailable);
    }
    return this.commands
      .trackMessage(
        sessionKey,
        `${sessionKey}:ended`,
        event.direction === 'inbound' ? 'in' : 'out',
        now,
        newId,
        ref.userId ?? '',
        policy.inactivityTimeoutMs,
        this.options.retentionMs,
        event.inReplyTo ?? '',
        event.startsSession === false ? '0' : '1',
      )
      .then((reply) => (reply === NEEDS_ID ? this.start(input) : this.afterApply(ref, reply)), unavailable);
  }

  /**
   * A message that opens a session: its expiry job is added first, then the session. A
   * process that dies in between leaves a job that finds no such session and does nothing;
   * the other order could leave a session that no job ever ends. A racing process that
   * opened the session first makes this job such a harmless leftover too.
   */
  private start(input: ApplyInput): Promise<ApplyOutput> {
    const id = input.newId();
    const scheduled = this.expiry.schedule(id, jobData(input.ref), input.policy.inactivityTimeoutMs);
    return withTimeout(scheduled, this.options.commandTimeoutMs).then(() => this.send(input, id));
  }

  async get(ref: ConversationRef, now: number): Promise<Session | undefined> {
    await this.whenReady();
    const record = await this.redis.get(this.sessionKey(ref)).catch(unavailable);
    if (record === null) return undefined;
    const session = decodeRecord(ref.channel, ref.conversationId, record);
    // Past its deadline is gone, even if its job has not run yet.
    return now >= session.expiresAt ? undefined : session;
  }

  // The ledger on Redis arrives with the shard layout (next commit).
  ledger(): never {
    throw new Error('redis ledger: not in this build yet');
  }

  activeCounts(): never {
    throw new Error('redis ledger: not in this build yet');
  }

  liveSessions(): never {
    throw new Error('redis ledger: not in this build yet');
  }

  endedSessions(): never {
    throw new Error('redis ledger: not in this build yet');
  }

  async close(): Promise<void> {
    await this.expiry.close();
    await Promise.all([quit(this.connections.commands), quit(this.connections.queue)]);
  }

  /** Synchronous for an ongoing session (the hot path); a promise only when a job must move. */
  private afterApply(ref: ConversationRef, reply: string): ApplyOutput | Promise<ApplyOutput> {
    const { code, session } = decodeReply(ref.channel, ref.conversationId, reply);
    // Its expiry job was added before the session (see start).
    if (code === CODE_STARTED) return { session, isNew: true, started: session };
    if (code === CODE_ENDED) {
      // Ended on the spot; its job delivers sessionEnd, now rather than at the deadline.
      return this.expiry
        .runNow(session!.id)
        .catch((error) => this.host?.reportError(error))
        .then(() => ({ session, isNew: false }));
    }
    return { session, isNew: false };
  }

  /** An expiry job fired: end the session if its deadline passed, and deliver the end. */
  private async checkExpiry(sessionId: string, data: ExpiryJobData): Promise<ExpiryOutcome> {
    const host = this.host!;
    const ref = { channel: data.c, conversationId: data.v };
    const now = host.now();
    const reply = await this.commands.expireSession(
      this.sessionKey(ref),
      this.endedKey(ref),
      sessionId,
      now,
      this.options.retentionMs,
    );
    const cut = reply.indexOf(SEPARATOR);
    const what = cut < 0 ? reply : reply.slice(0, cut);
    const value = reply.slice(cut + 1);
    if (what === 'wait') return { wait: Number(value) - now };
    if (what === 'end') {
      await host.deliverEnd(decodeSnapshot(data.c, data.v, String(value)));
      // Delivered: forget it. Until this succeeds a redelivered job would deliver it again,
      // so ride out a short blip of Redis rather than fail the job at once.
      await retry(() => this.redis.hdel(this.endedKey(ref), sessionId), 10, 300);
    }
    return 'done';
  }

  /** Undefined when connected (the hot path); otherwise waits for the first connection only. */
  private whenReady(): Promise<void> | undefined {
    if (this.redis.status === 'ready') return undefined;
    if (this.everReady) {
      // Lost the connection: fail fast so the bot answers without a stamp.
      return Promise.reject(
        new StoreUnavailableError(`Redis is unavailable (connection ${this.redis.status})`),
      );
    }
    // One listener for every caller waiting on the first connection.
    this.firstReady ??= new Promise<void>((resolve) => this.redis.once('ready', () => resolve()));
    return withTimeout(this.firstReady, this.options.commandTimeoutMs);
  }

  private sessionKey(ref: ConversationRef): string {
    // One hash tag per conversation: on Redis Cluster all of its keys share a slot.
    return `${this.options.prefix}:{${ref.channel}:${ref.conversationId}}`;
  }

  private endedKey(ref: ConversationRef): string {
    return `${this.sessionKey(ref)}:ended`;
  }
}

async function retry<T>(attempt: () => Promise<T>, times: number, pauseMs: number): Promise<T> {
  for (let left = times - 1; ; left--) {
    try {
      return await attempt();
    } catch (error) {
      if (left === 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

function jobData(ref: ConversationRef): ExpiryJobData {
  return { c: ref.channel, v: ref.conversationId };
}

function unavailable(error: Error): never {
  if (error.name === 'ReplyError' && !TRANSIENT_REPLY.test(error.message)) throw error;
  throw new StoreUnavailableError(`Redis is unavailable: ${error.message}`, { cause: error });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(`Redis did not answer within ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function quit(client: Connections['commands']): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
