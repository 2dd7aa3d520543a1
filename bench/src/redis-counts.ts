/**
 * What exact counting costs on Redis, each against a baseline in the same run:
 * - track() with a platform delivery id against without (target: at most 10 % slower);
 * - the trackMessage script with its ledger counters against the same script with the
 *   ledger lines taken out, both as FCALL loops of the library (target: at most 10 % slower);
 * - Redis bytes per remembered delivery id, and per ended session kept in the session log.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { startRedis } from '@botsession/system-tests/redis-server';
import { Redis } from 'ioredis';
import { formatBytes, formatRate, report } from './format.js';
import { closedLoop, webRefs } from './redis.js';

const inbound = { direction: 'inbound' } as const;

/** The built trackMessage script with its includes inlined, as core's loader does. */
/**
 * Our Lua library twice under other names: as built, and with the trackMessage ledger lines
 * taken out, so that the ledger's cost is measured on the path production takes (FCALL).
 */
async function loadTrackMessageVariants(client: Redis): Promise<{ full: string; bare: string }> {
  const require = createRequire(import.meta.url);
  const commands = join(
    dirname(require.resolve('@botsession/core/package.json')),
    'dist/backends/redis/commands.js',
  );
  const { commandLibrary } = (await import(pathToFileURL(commands).href)) as {
    commandLibrary: () => { name: string; source: string };
  };
  const library = commandLibrary();
  const bare = library.source.replace(/^\s*(if inbound then )?ledgerAdd\(.*$/gm, '');
  if (bare === library.source) throw new Error('no ledger lines found in trackMessage');
  await client.call('FUNCTION', 'LOAD', 'REPLACE', library.source.replaceAll(library.name, 'bench_full'));
  await client.call('FUNCTION', 'LOAD', 'REPLACE', bare.replaceAll(library.name, 'bench_bare'));
  return { full: 'bench_full_trackMessage', bare: 'bench_bare_trackMessage' };
}

function shardKeys(tag: string): string[] {
  return [`{${tag}}`];
}

async function usedMemory(client: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
}

export async function runRedisCountsBench(): Promise<void> {
  console.log('\nExact counts on Redis (one local redis-server, 50 conversations in flight)');
  const server = await startRedis();
  const client = new Redis(server.url);
  try {
    // 1. Delivery ids: the same ongoing conversations, with and without an id per message.
    const tracker = createSessionTracker({
      backend: redisBackend({ connection: server.url, prefix: 'bench-ids' }),
      channels: { web: { inactivityTimeoutMs: 3_600_000 } },
    });
    const refs = webRefs('ids');
    for (const ref of refs) await tracker.track(ref, inbound);
    let n = 0;
    const withId = () =>
      closedLoop((lane) => tracker.track(refs[lane]!, { direction: 'inbound', deliveryId: `m-${n++}` }));
    const without = () => closedLoop((lane) => tracker.track(refs[lane]!, inbound));
    await without(); // warm-up
    const rates = { without: [] as number[], withId: [] as number[] };
    for (let round = 0; round < 2; round++) {
      rates.without.push(await without());
      rates.withId.push(await withId());
    }
    const a = Math.max(...rates.without);
    const b = Math.max(...rates.withId);
    report('track() without a delivery id (best of 2)', formatRate(a));
    report('track() with a delivery id (best of 2)', `${formatRate(b)} (${slower(b, a)})`);
    await tracker.close();

    // 2. The ledger's cost inside the script: the same calls with and without its counters.
    const functions = await loadTrackMessageVariants(client);
    const call = (fn: string, lane: number, tag: string) =>
      client.fcall(
        fn,
        1,
        ...shardKeys(`${tag}:${lane % 16}`),
        `web\u001fc${lane}`,
        'web',
        'in',
        '',
        '',
        `r:${createHash('sha1').update(String(lane)).digest('hex').slice(0, 19)}`,
        'u',
        3_600_000,
        3_600_000,
        '',
        '1',
        '',
        604_800_000,
        34_560_000_000,
        25,
      );
    const ledgerRates: number[] = [];
    const bareRates: number[] = [];
    for (let round = 0; round < 2; round++) {
      bareRates.push(await closedLoop((lane) => call(functions.bare, lane, 'bare')));
      ledgerRates.push(await closedLoop((lane) => call(functions.full, lane, 'ledger')));
    }
    const bare = Math.max(...bareRates);
    const ledger = Math.max(...ledgerRates);
    report('trackMessage without the ledger lines (FCALL)', formatRate(bare));
    report('trackMessage with the ledger (FCALL)', `${formatRate(ledger)} (${slower(ledger, bare)})`);

    // 3. Bytes per delivery id: 10,000 sessions with 1 id each, then 10 more ids each.
    await client.flushall();
    const memory = createSessionTracker({
      backend: redisBackend({ connection: server.url, prefix: 'bench-idmem', worker: false }),
      channels: { web: { inactivityTimeoutMs: 3_600_000 } },
    });
    const COUNT = 10_000;
    const many = Array.from({ length: COUNT }, (_, i) => ({ channel: 'web', conversationId: `conv-${i}` }));
    await inParallel(COUNT, (i) =>
      memory.track(many[i]!, { direction: 'inbound', deliveryId: `wamid.${i}-0` }),
    );
    const before = await usedMemory(client);
    for (let k = 1; k <= 10; k++) {
      await inParallel(COUNT, (i) =>
        memory.track(many[i]!, { direction: 'inbound', deliveryId: `wamid.${i}-${k}` }),
      );
    }
    const perId = ((await usedMemory(client)) - before) / (COUNT * 10);
    report('Redis bytes per remembered delivery id', formatBytes(perId));

    // 4. Bytes per ended session in the log: the log streams' own size over the ended count.
    await inParallel(COUNT, (i) => memory.end(many[i]!, 'manual'));
    let logBytes = 0;
    for (let shard = 0; shard < 16; shard++) {
      logBytes += Number(await client.memory('USAGE', `{bench-idmem:${shard}}:log`, 'SAMPLES', 0)) || 0;
    }
    report('Redis bytes per ended session in the session log', formatBytes(logBytes / COUNT));
    await memory.close();
  } finally {
    await client.quit();
    await server.destroy();
  }
}

/** Runs op(0..count-1) with 200 in flight. */
export async function inParallel(count: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      while (next < count) await op(next++);
    }),
  );
}

function slower(rate: number, baseline: number): string {
  const change = (1 - rate / baseline) * 100;
  return change >= 0 ? `${change.toFixed(1)} % slower` : `${(-change).toFixed(1)} % faster`;
}
