import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedRedisOptions } from './options.js';

/** What an expiry job carries: where the session lives. Its job id is the session id. */
export interface ExpiryJobData {
  /** channel */
  c: string;
  /** conversationId */
  v: string;
}

export type ExpiryOutcome = { wait: number } | 'done';

const JOB_NAME = 'x';

/** FNV-1a: spreads session ids over the queues; any stable hash would do. */
function shardOf(sessionId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) {
    hash ^= sessionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * One BullMQ delayed job per session, at its deadline, spread over `queues` shards. Each
 * shard's prefix carries its own hash tag, so on Redis Cluster every shard's keys share a
 * slot (as BullMQ requires) and the shards land on different slots.
 */
export class ExpiryQueues {
  private readonly queues: Queue<ExpiryJobData>[] = [];
  private readonly workers: Worker<ExpiryJobData>[] = [];

  /** `onConnectionError` hears BullMQ's connection errors (which it throws if nobody listens). */
  constructor(
    private readonly connection: Redis | Cluster,
    private readonly options: ResolvedRedisOptions,
    private readonly onConnectionError: (error: Error) => void,
  ) {
    for (let shard = 0; shard < options.queues; shard++) {
      this.queues.push(
        new Queue<ExpiryJobData>('expire', {
          connection,
          prefix: `{${options.prefix}:expiry:${shard}}`,
          // Kept short: BullMQ stores a job's options with every job (bytes per live session).
          defaultJobOptions: {
            removeOnComplete: true,
            // A failure here is Redis being away: keep trying, the session must end.
            attempts: 1_000,
            backoff: 1_000,
          },
          // Nobody reads the queue's event stream; BullMQ keeps 10,000 events by default.
          streams: { events: { maxLen: 100 } },
        }).on('error', onConnectionError),
      );
    }
  }

  /** Schedules the session's end check `delayMs` from now. Idempotent: the job id is the session id. */
  async schedule(sessionId: string, data: ExpiryJobData, delayMs: number): Promise<void> {
    await this.queueOf(sessionId).add(JOB_NAME, data, { jobId: sessionId, delay: Math.max(0, delayMs) });
  }

  /** Runs the session's job now: an explicit end is delivered without waiting for the deadline. */
  async runNow(sessionId: string): Promise<void> {
    const job = await this.queueOf(sessionId).getJob(sessionId);
    if (job === undefined) return;
    try {
      await job.promote();
    } catch {
      // Not delayed any more (already running or done): it will find the ended session itself.
    }
  }

  /** Starts this process's workers; `check` decides each job's fate. */
  startWorkers(
    check: (sessionId: string, data: ExpiryJobData) => Promise<ExpiryOutcome>,
    onError: (e: Error) => void,
  ) {
    const worker = this.options.worker;
    if (worker === false) return;
    for (let shard = 0; shard < this.options.queues; shard++) {
      const w = new Worker<ExpiryJobData>(
        'expire',
        async (job: Job<ExpiryJobData>, token?: string) => {
          const outcome = await check(job.id!, job.data);
          if (outcome !== 'done') {
            // The user wrote since this job was scheduled: wake at the new deadline instead.
            await job.moveToDelayed(Date.now() + Math.max(0, outcome.wait), token);
            throw new DelayedError();
          }
        },
        {
          connection: this.connection,
          prefix: `{${this.options.prefix}:expiry:${shard}}`,
          concurrency: worker.concurrency,
          lockDuration: worker.lockDurationMs,
          stalledInterval: worker.stalledIntervalMs,
          // A worker killed mid-hook must not turn the session's end into a failure.
          maxStalledCount: 1_000,
        },
      );
      w.on('error', this.onConnectionError);
      w.on('failed', (_job, error) => onError(error));
      this.workers.push(w);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.queues.map((q) => q.close()));
  }

  private queueOf(sessionId: string): Queue<ExpiryJobData> {
    return this.queues[shardOf(sessionId, this.queues.length)]!;
  }
}
