import { randomUUID } from 'node:crypto';
import { type Job, Queue, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedRedisOptions } from './options.js';

interface SweepJob {
  /** The shard to sweep. */
  n: number;
}

const JOB_NAME = 'sweep';
/** A deadline this close is waited for inside the running job rather than through a new delayed job. */
const WAIT_IN_JOB_MS = 1_000;
/** How long one job keeps sweeping a busy shard before handing over to a fresh job. */
const JOB_TURN_MS = 10_000;
/** Every shard is also swept this often, whatever happened: no crash can leave a shard unswept for longer. */
const SAFETY_SWEEP_MS = 30_000;

/**
 * Expiry by shard, on BullMQ: one delayed job per shard at the earliest deadline it knows,
 * which ends every due session of the shard in batches (one Lua call per batch) and then
 * schedules the next. BullMQ does what it is good at: delayed scheduling, retries when
 * Redis blinks, and stalled-job recovery when a worker dies mid-batch (its ends, still
 * pending, are delivered again). Queue prefixes carry their own hash tags (one slot per
 * queue, as BullMQ requires on Cluster); shards spread over `queues` queues.
 */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ShardExpiry {
  private readonly queues: Queue<SweepJob>[] = [];
  private readonly workers: Worker<SweepJob>[] = [];
  private closing = false;

  constructor(
    private readonly connection: Redis | Cluster,
    private readonly options: ResolvedRedisOptions,
    onConnectionError: (error: Error) => void,
  ) {
    for (let q = 0; q < options.queues; q++) {
      this.queues.push(
        new Queue<SweepJob>('expire', {
          connection,
          prefix: `{${options.prefix}:q:${q}}`,
          defaultJobOptions: {
            removeOnComplete: true,
            removeOnFail: 1_000,
            // A failure is Redis being away: keep trying, sessions must end.
            attempts: 1_000,
            backoff: 1_000,
          },
          streams: { events: { maxLen: 100 } },
        }).on('error', onConnectionError),
      );
    }
  }

  /**
   * A job for `shard` at `at`, on Redis's clock (`storeNow` is Redis's time now). Idempotent
   * per slot. The job's timestamp is Redis's time, not this process's, so its due time
   * (timestamp + delay) is `at` whichever process adds it; workers promote it by their own
   * clocks (BullMQ's), which a sweep survives: an early one ends nothing before its deadline.
   */
  async arm(shard: number, at: number, storeNow: number, runningJobId?: string): Promise<void> {
    let jobId = `${shard}-${at}`;
    // A job that ran early re-arms its own slot: BullMQ would ignore an id that is still
    // active (the running job's own), so this one takes a fresh id.
    if (jobId === runningJobId) jobId = `${jobId}-${randomUUID()}`;
    await this.queueOf(shard).add(
      JOB_NAME,
      { n: shard },
      { jobId, delay: Math.max(0, at - storeNow), timestamp: storeNow },
    );
  }

  /** Starts this process's workers and the safety sweeps; `sweep` does a shard's work and says when to come back. */
  start(
    sweep: (shard: number) => Promise<{ nextAt: number | undefined; storeNow: number }>,
    onError: (error: Error) => void,
    onConnectionError: (error: Error) => void,
  ): void {
    const worker = this.options.worker;
    if (worker === false) return;
    for (let q = 0; q < this.options.queues; q++) {
      const w = new Worker<SweepJob>(
        'expire',
        async (job: Job<SweepJob>) => {
          const turnEnds = Date.now() + JOB_TURN_MS;
          for (;;) {
            const { nextAt, storeNow } = await sweep(job.data.n);
            if (nextAt === undefined) return;
            const wait = nextAt - storeNow;
            // A near deadline: wait here (no queue round trip, lower lateness), for a while.
            if (wait <= WAIT_IN_JOB_MS && Date.now() < turnEnds && !this.closing) {
              await sleep(Math.max(0, wait));
              continue;
            }
            // This job ran early (a worker whose clock is ahead promoted it): pause before
            // re-arming, so that such a worker cannot spin on the shard.
            const intendedAt = job.timestamp + (job.delay ?? 0);
            if (intendedAt > storeNow + 100) await sleep(Math.min(wait, WAIT_IN_JOB_MS));
            await this.arm(job.data.n, nextAt, storeNow, job.id);
            return;
          }
        },
        {
          connection: this.connection,
          prefix: `{${this.options.prefix}:q:${q}}`,
          concurrency: worker.concurrency,
          lockDuration: worker.lockDurationMs,
          stalledInterval: worker.stalledIntervalMs,
          // A worker killed mid-batch must not turn its shard's ends into a failure.
          maxStalledCount: 1_000,
        },
      );
      w.on('error', onConnectionError);
      w.on('failed', (_job, error) => onError(error));
      this.workers.push(w);
    }
    for (let shard = 0; shard < this.options.shards; shard++) {
      this.queueOf(shard)
        .upsertJobScheduler(
          `safety-${shard}`,
          { every: SAFETY_SWEEP_MS },
          { name: JOB_NAME, data: { n: shard } },
        )
        .catch(onError);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.queues.map((q) => q.close()));
  }

  private queueOf(shard: number): Queue<SweepJob> {
    return this.queues[shard % this.queues.length]!;
  }
}
