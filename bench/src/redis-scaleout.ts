/**
 * Scale-out (issue 16): 1, 2 and 4 bot processes, each a real child process with its own
 * tracker and expiry workers, on a local 3-master Redis Cluster, default backend options:
 * - track() per second on ongoing sessions, 50 in flight per process, summed over processes;
 * - lateness of sessionEnd after the session's endedAt, for new sessions arriving at a steady
 *   1,000/s in total (split over the processes) for 15 s, each ending 5 s after its message;
 *   whichever process's worker swept the shard delivers the end and keeps the sample;
 * - where the CPU went while track() ran: the redis-servers, the bot processes, and the whole
 *   machine (other work on it included), in cores, and the CPU each call cost.
 * Baseline in the same run: one process on one standalone redis-server.
 * Figures, never pass/fail; core/docs/scale-out.md says what to expect and why.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { startRedis, startRedisCluster } from '@botsession/system-tests/redis-server';
import { Cluster, Redis } from 'ioredis';
import { formatRate } from './format.js';

const SCRIPT = new URL('../child/scaleout-bot.mjs', import.meta.url);
const PROCESS_COUNTS = [1, 2, 4];
/** One prefix for every round (Redis is flushed between them): the same shards on the same masters. */
const PREFIX = 'scaleout';
const IN_FLIGHT = 50;
const WARM_UP_MS = 2_000;
const MEASURE_MS = 8_000;
const ARRIVALS_PER_SECOND = 1_000;
const ARRIVALS_MS = 15_000;
const SHORT_TIMEOUT_MS = 5_000;
/** How long after the last deadline the ends may take before the figure is taken as it is. */
const DRAIN_MS = 20_000;

type Reply = Record<string, unknown> & { id?: number; ready?: boolean; error?: string; failure?: string };

/** A child bot process (bench/child/scaleout-bot.mjs): one command, one answer. */
class BotChild {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private exited = false;
  /** Tracker `error` events the process reported. */
  errors = 0;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [SCRIPT.pathname], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let markReady: () => void;
    let fail: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    this.child.stdin!.on('error', () => {}); // a write racing the exit: the exit answers it
    this.child.once('exit', (code) => {
      this.exited = true;
      const error = new Error(`a bot process exited (code ${code})`);
      fail(error);
      for (const answer of this.pending.values()) answer({ failure: error.message });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      if (reply.ready) markReady();
      else if (reply.error !== undefined) this.errors++;
      else if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
    });
  }

  ask<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error('the bot process exited'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => {
        this.pending.delete(id);
        if (reply.failure !== undefined) reject(new Error(reply.failure));
        else resolve(reply as T);
      });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU seconds the redis-servers used so far (INFO cpu: user + system), summed. */
async function redisCpuSeconds(servers: Redis[]): Promise<number> {
  const infos = await Promise.all(servers.map((server) => server.info('cpu')));
  return infos.reduce((sum, info) => {
    const user = Number(/used_cpu_user:([\d.]+)/.exec(info)![1]);
    const system = Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]);
    return sum + user + system;
  }, 0);
}

/** The whole machine's busy CPU seconds so far, every process on it included (/proc/stat). */
function machineCpuSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100; // USER_HZ is 100 on Linux
}

/** How many of these hash tags each master holds, most first, e.g. "6/5/5". */
async function spreadOverMasters(client: Cluster, tags: string[]): Promise<string> {
  const ranges = await client.cluster('SLOTS'); // [from, to, [host, port, id], ...replicas]
  const owner = (slot: number) => ranges.find(([from, to]) => slot >= from && slot <= to)![2]![1];
  const ports = [...new Set(ranges.map((r) => r[2]![1]))];
  const counts = new Map(ports.map((port) => [port, 0]));
  for (const tag of tags) {
    const slot = (await client.cluster('KEYSLOT', `{${tag}}`)) as number;
    counts.set(owner(slot), counts.get(owner(slot))! + 1);
  }
  return [...counts.values()].sort((a, b) => b - a).join('/');
}

/** Where the bots' Redis is: how a child connects, and each redis-server (to read its CPU and flush it). */
interface Target {
  label: string;
  env: Record<string, string>;
  servers: Redis[];
}

interface Row {
  label: string;
  processes: number;
  throughput: number;
  lateness: number[];
  sent: number;
  failed: number;
  arrivalRate: number;
  cores: { redis: number; bots: number; machine: number };
  errors: number;
}

async function runRound(target: Target, processes: number): Promise<Row> {
  const bots = Array.from(
    { length: processes },
    (_, bot) =>
      new BotChild({
        ...target.env,
        PREFIX,
        BOT: String(bot),
        SHORT_TIMEOUT_MS: String(SHORT_TIMEOUT_MS),
      }),
  );
  try {
    await Promise.all(bots.map((b) => b.ready));

    // (a) track() on ongoing sessions; every process counts the same window.
    const warmUpUntil = Date.now() + 500 + WARM_UP_MS;
    const stopAt = warmUpUntil + MEASURE_MS;
    const counted = Promise.all(
      bots.map((b) =>
        b.ask<{ ops: number; seconds: number; cpuSeconds: number }>('throughput', {
          inFlight: IN_FLIGHT,
          warmUpUntil,
          stopAt,
        }),
      ),
    );
    await sleepUntil(warmUpUntil);
    const redisBefore = await redisCpuSeconds(target.servers);
    const machineBefore = machineCpuSeconds();
    const windowStart = performance.now();
    await sleepUntil(stopAt);
    const window = (performance.now() - windowStart) / 1000;
    const redisUsed = (await redisCpuSeconds(target.servers)) - redisBefore;
    const machineUsed = machineCpuSeconds() - machineBefore;
    const results = await counted;
    const throughput = results.reduce((sum, r) => sum + r.ops / r.seconds, 0);
    const botCores = results.reduce((sum, r) => sum + r.cpuSeconds / r.seconds, 0);

    // (b) steady arrivals, each session ending SHORT_TIMEOUT_MS after its message.
    const startAt = Date.now() + 500;
    const arrivals = await Promise.all(
      bots.map((b) =>
        b.ask<{ sent: number; failed: number; seconds: number }>('arrivals', {
          perSecond: ARRIVALS_PER_SECOND / processes,
          durationMs: ARRIVALS_MS,
          startAt,
        }),
      ),
    );
    const sent = arrivals.reduce((sum, a) => sum + a.sent, 0);
    const failed = arrivals.reduce((sum, a) => sum + a.failed, 0);
    const arrivalRate = arrivals.reduce((sum, a) => sum + a.sent / a.seconds, 0);
    const expected = sent - failed;
    const giveUpAt = startAt + ARRIVALS_MS + SHORT_TIMEOUT_MS + DRAIN_MS;
    for (;;) {
      const ends = await Promise.all(bots.map((b) => b.ask<{ ends: number }>('ends')));
      if (ends.reduce((sum, e) => sum + e.ends, 0) >= expected || Date.now() > giveUpAt) break;
      await sleep(250);
    }
    const samples = await Promise.all(bots.map((b) => b.ask<{ lateness: number[] }>('lateness')));
    const lateness = samples.flatMap((s) => s.lateness).sort((a, b) => a - b);
    return {
      label: target.label,
      processes,
      throughput,
      lateness,
      sent,
      failed,
      arrivalRate,
      cores: { redis: redisUsed / window, bots: botCores, machine: machineUsed / window },
      errors: bots.reduce((sum, b) => sum + b.errors, 0),
    };
  } finally {
    await Promise.all(bots.map((b) => b.ask('close').catch(() => undefined)));
    await Promise.all(target.servers.map((server) => server.flushall()));
  }
}

const ms = (n: number) => `${n} ms`;
const micros = (cores: number, perSecond: number) => `${Math.round((cores / perSecond) * 1e6)} µs`;

function printTables(rows: Row[]): void {
  const line = (cells: string[], widths: number[]) =>
    console.log(`  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('')}`.trimEnd());
  const a = [22, 12, 14, 28, 0];
  console.log(`  track(), ongoing sessions, ${IN_FLIGHT} in flight per process`);
  line(
    ['processes', 'total', 'per process', 'CPU per call redis / bots', 'cores busy redis / bots / machine'],
    a,
  );
  for (const r of rows) {
    line(
      [
        r.label,
        formatRate(r.throughput),
        formatRate(r.throughput / r.processes),
        `${micros(r.cores.redis, r.throughput)} / ${micros(r.cores.bots, r.throughput)}`,
        `${r.cores.redis.toFixed(2)} / ${r.cores.bots.toFixed(2)} / ${r.cores.machine.toFixed(2)}`,
      ],
      a,
    );
  }
  const b = [22, 24, 18, 0];
  console.log(
    `  end lateness (sessionEnd time - endedAt): ${formatRate(ARRIVALS_PER_SECOND)} new sessions in all for ` +
      `${ARRIVALS_MS / 1000} s, ${SHORT_TIMEOUT_MS / 1000} s timeout`,
  );
  line(['processes', 'p50 / p99 / max', 'ends', 'arrivals'], b);
  for (const r of rows) {
    const l = r.lateness;
    const failures = r.failed + r.errors > 0 ? ` (${r.failed} calls failed, ${r.errors} error events)` : '';
    line(
      [
        r.label,
        l.length === 0 ? 'no ends' : `${percentile(l, 50)} / ${percentile(l, 99)} / ${ms(l[l.length - 1]!)}`,
        `${l.length.toLocaleString('en-US')} of ${(r.sent - r.failed).toLocaleString('en-US')}`,
        `${formatRate(r.arrivalRate)}${failures}`,
      ],
      b,
    );
  }
}

export async function runRedisScaleOutBench(): Promise<void> {
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log('\nScale-out: 1 to 4 bot processes on a local Redis Cluster (about 2 minutes)');
  const rows: Row[] = [];
  // The baseline: one process, one standalone redis-server.
  {
    const server = await startRedis();
    const client = new Redis(server.url);
    try {
      rows.push(
        await runRound(
          { label: '1, one redis-server', env: { REDIS_URL: server.url }, servers: [client] },
          1,
        ),
      );
    } finally {
      await client.quit();
      await server.destroy();
    }
  }
  const cluster = await startRedisCluster();
  const client = new Cluster(cluster.nodes);
  try {
    const shards = await spreadOverMasters(
      client,
      Array.from({ length: 16 }, (_, n) => `${PREFIX}:${n}`),
    );
    const queues = await spreadOverMasters(
      client,
      Array.from({ length: 4 }, (_, q) => `${PREFIX}:q:${q}`),
    );
    const masters = client.nodes('master');
    const target = { env: { NODES: JSON.stringify(cluster.nodes) }, servers: masters };
    for (const processes of PROCESS_COUNTS) {
      rows.push(await runRound({ ...target, label: `${processes}, cluster` }, processes));
    }
    console.log(
      `  3 masters (16 shards over them ${shards}, 4 expiry queues ${queues}), default backend options; ` +
        `${cpus().length} cores, load average ${load} at the start`,
    );
    printTables(rows);
  } finally {
    await client.quit();
    await cluster.destroy();
  }
}
