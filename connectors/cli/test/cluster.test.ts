/**
 * The built `botsession` binary against a local 3-master Redis Cluster (--cluster): the same
 * numbers as tracker.report, the live sessions, and the log, read across all masters.
 */

import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { type RedisCluster, startRedisCluster } from '../../../test/support/redis-server.js';
import { runCli } from './run-cli.js';
import { type ScriptTally, scriptedRun } from './scripted-run.js';

const PREFIX = 'cli-cluster';
let cluster: RedisCluster;
let client: Cluster;
let tracker: SessionTracker;
let tally: ScriptTally;
const from = Date.now() - 3_600_000;
const to = Date.now() + 3_600_000;
const connection = () => [
  '--cluster',
  cluster.nodes.map((n) => `redis://${n.host}:${n.port}`).join(','),
  '--prefix',
  PREFIX,
];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster(cluster.nodes);
  tracker = createSessionTracker({
    backend: redisBackend({ connection: client, prefix: PREFIX }),
  });
  // Conversations spread over the masters (one hash tag each).
  tally = await scriptedRun(tracker, 'a');
  const more = await scriptedRun(tracker, 'b');
  tally.endedIds.push(...more.endedIds);
  tally.liveRefs.push(...more.liveRefs);
  await eventually(async () => {
    expect(await collect(tracker.endedSessions({ since: from }))).toHaveLength(tally.endedIds.length);
  });
});

afterAll(async () => {
  await tracker?.close();
  await client?.quit();
  await cluster?.destroy();
});

it('reports on a cluster exactly what tracker.report gives', async () => {
  const args = ['--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--json'];
  const run = await runCli(['report', ...connection(), ...args]);
  expect(run.stderr).toBe('');
  const expected = await tracker.report({ from, to });
  expect(JSON.parse(run.stdout)).toEqual(expected);
  expect(expected.reduce((sum, r) => sum + r.sessions, 0)).toBe(
    tally.endedIds.length + tally.liveRefs.length,
  );
});

it('lists every live session and exports every ended one, from all masters', async () => {
  const sessions = await runCli(['sessions', ...connection(), '--json']);
  expect(sessions.code).toBe(0);
  const live = sessions.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Session);
  expect(live.map((s) => s.id).sort()).toEqual((await collect(tracker.sessions({}))).map((s) => s.id).sort());
  expect(live).toHaveLength(tally.liveRefs.length);

  const exported = await runCli(['export', ...connection(), '--since', new Date(from).toISOString()]);
  expect(exported.code).toBe(0);
  const ids = exported.stdout
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as Session).id);
  expect(ids.sort()).toEqual([...tally.endedIds].sort());
});

it('ends a live session on a cluster', async () => {
  const ref = tally.liveRefs.find((r) => r.channel === 'web')!;
  const run = await runCli(['end', `${ref.channel}:${ref.conversationId}`, ...connection()]);
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^ended session \S+ \(web:.*\): manual after/);
  expect(await tracker.get(ref)).toBeUndefined();
});
