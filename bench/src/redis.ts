/**
 * Redis backend figures, all in one run on one local redis-server (no persistence):
 * - track() per second with 50 conversations in flight, ongoing sessions, without and with a
 *   delivery id, and Redis's own time per call (INFO commandstats): our script's ceiling;
 * - the physical ceiling: redis-benchmark pipelining a small session-touch Lua script, so
 *   that the server is the limit; and the same for our own applyEvent script;
 * - a plain ioredis EVALSHA loop of the touch script at 50 in flight (the client's floor);
 * - the naive approach: BullMQ remove + re-add of a delayed job per message.
 * Memory, ends and lateness: redis-scale.ts; delivery ids and the ledger: redis-counts.ts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ConversationRef, createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { type RedisServer, startRedis } from '@botsession/system-tests/redis-server';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { formatRate, report } from './format.js';

const run = promisify(execFile);
const IN_FLIGHT = 50;
const DURATION_MS = 5_000;
const inbound = { direction: 'inbound' } as const;

/** A session touch of about the size of ours: read three fields, write three. */
const TOUCH_LUA = `local v = redis.call('HMGET', KEYS[1], 'i', 'e', 'n')
redis.call('HSET', KEYS[1], 'a', ARGV[1], 'e', ARGV[1] + 300000, 'n', (tonumber(v[3]) or 0) + 1)
return v`;

/** Runs `op(lane)` in `IN_FLIGHT` concurrent loops for DURATION_MS; returns operations per second. */
export async function closedLoop(op: (lane: number) => Promise<unknown>): Promise<number> {
  let count = 0;
  const stopAt = Date.now() + DURATION_MS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, lane) => {
      while (Date.now() < stopAt) {
        await op(lane);
        count++;
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function redisBenchmark(port: number, args: string[]): Promise<number> {
  const { stdout } = await run('redis-benchmark', [
    '-p',
    String(port),
    '-c',
    '10',
    '-P',
    '10',
    '-n',
    '2000000',
    '-r',
    String(IN_FLIGHT),
    '--csv',
    ...args,
  ]);
  // --csv: a header line, then "name","rps",...
  const line = stdout.trim().split('\n').pop()!;
  return Number(JSON.parse(`[${line}]`)[1]);
}

export function webRefs(tag: string): ConversationRef[] {
  return Array.from({ length: IN_FLIGHT }, (_, i) => ({
    channel: 'web',
    conversationId: `${tag}-${i}`,
    userId: `u${i}`,
  }));
}

/** Redis's own time per call of our Lua (FCALL, or EVALSHA without Functions), from INFO commandstats. */
async function redisMicrosPerCall(client: Redis): Promise<number> {
  const stats = String(await client.info('commandstats'));
  const line = /cmdstat_(?:fcall|evalsha):calls=(\d+),usec=(\d+)/.exec(stats);
  return line === null ? Number.NaN : Number(line[2]) / Number(line[1]);
}

async function trackerRate(
  server: RedisServer,
  client: Redis,
  withIds = false,
): Promise<{ rate: number; redisMicros: number }> {
  const tracker = createSessionTracker({
    backend: redisBackend({ connection: server.url, prefix: `bench-track-${withIds}` }),
    channels: { web: { inactivityTimeoutMs: 3_600_000 } }, // ongoing sessions: nothing ends here
  });
  const refs = webRefs(`track-${withIds}`);
  let delivery = 0;
  const op = (lane: number) =>
    tracker.track(refs[lane]!, withIds ? { direction: 'inbound', deliveryId: `m${delivery++}` } : inbound);
  for (let lane = 0; lane < refs.length; lane++) await op(lane);
  await closedLoop(op); // warm-up
  await client.config('RESETSTAT');
  const rate = await closedLoop(op);
  const redisMicros = await redisMicrosPerCall(client);
  await tracker.close();
  return { rate, redisMicros };
}

async function plainEvalshaRate(client: Redis, sha: string): Promise<number> {
  const op = (lane: number) => client.evalsha(sha, 1, `touch:{${lane}}`, Date.now());
  await closedLoop(op);
  return closedLoop(op);
}

async function naiveBullmqRate(server: RedisServer): Promise<number> {
  const connection = new Redis(server.url, { maxRetriesPerRequest: null });
  const queue = new Queue('naive', { connection, prefix: '{naive}' });
  const op = async (lane: number) => {
    const jobId = `session-${lane}`;
    await queue.remove(jobId);
    await queue.add(
      'expire',
      { conversationId: `c${lane}` },
      { jobId, delay: 300_000, removeOnComplete: true },
    );
  };
  const rate = await closedLoop(op);
  await queue.close();
  await connection.quit();
  return rate;
}

export async function runRedisBench(): Promise<void> {
  console.log('\nRedis backend (one local redis-server, 50 conversations in flight)');
  const server = await startRedis();
  const client = new Redis(server.url);
  try {
    const touchSha = String(await client.script('LOAD', TOUCH_LUA));
    const ceiling = await redisBenchmark(server.port, [
      'evalsha',
      touchSha,
      '1',
      'touch:{__rand_int__}',
      '1700000000000',
    ]);
    const plain = await plainEvalshaRate(client, touchSha);
    const { rate, redisMicros } = await trackerRate(server, client);
    const withIds = await trackerRate(server, client, true);
    const naive = await naiveBullmqRate(server);
    report('ceiling: redis-benchmark -c 10 -P 10 evalsha (touch script)', formatRate(ceiling));
    report(
      'plain ioredis EVALSHA loop of the touch script',
      `${formatRate(plain)} (${pct(plain, ceiling)} of ceiling)`,
    );
    report('tracker.track(), ongoing sessions', `${formatRate(rate)} (${pct(rate, ceiling)} of ceiling)`);
    // Our own script's ceiling: Redis busy with nothing else would run 1e6 / (µs per call) a second.
    const ownCeiling = 1e6 / redisMicros;
    report(
      '  Redis time per track() (INFO commandstats), and our script back to back',
      `${redisMicros.toFixed(1)} µs, ${formatRate(ownCeiling)} (track() at ${pct(rate, ownCeiling)} of it)`,
    );
    report(
      'tracker.track() with a delivery id, ongoing sessions',
      `${formatRate(withIds.rate)} (${withIds.redisMicros.toFixed(1)} µs of Redis a call)`,
    );
    report('naive: BullMQ remove + re-add of a delayed job per message', formatRate(naive));
    report('track() / naive', `${(rate / naive).toFixed(1)}x`);
  } finally {
    await client.quit();
    await server.destroy();
  }
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)} %`;
}
