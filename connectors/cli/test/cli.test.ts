/**
 * The built `botsession` binary against a real redis-server: a tracker drives a scripted run,
 * then every command's output is checked against the tracker's own report, sessions and log.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSessionTracker, END_REASONS, type Session, type SessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { type RedisServer, startRedis } from '../../../test/support/redis-server.js';
import { BIN, num, runCli, tableRows } from './run-cli.js';
import { type ScriptTally, scriptedRun } from './scripted-run.js';

const PREFIX = 'cli-test';
// Not the defaults: the CLI must be told the bots' layout, and reads it right when told.
const SHARDS = 4;
const QUEUES = 2;
let server: RedisServer;
let tracker: SessionTracker;
let tally: ScriptTally;
let dir: string;
// A range around the run, given to the CLI and to tracker.report alike.
let from: string;
let to: string;
const connection = () => [
  '--redis',
  server.url,
  '--prefix',
  PREFIX,
  '--shards',
  String(SHARDS),
  '--queues',
  String(QUEUES),
];

/** What the bot's sessionEnd handler heard. */
const botEnds: Session[] = [];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

beforeAll(async () => {
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'botsession-cli-'));
  tracker = createSessionTracker({
    backend: redisBackend({ connection: server.url, prefix: PREFIX, shards: SHARDS, queues: QUEUES }),
  });
  tracker.on('sessionEnd', (session) => {
    botEnds.push(session);
  });
  from = new Date(Date.now() - 3_600_000).toISOString();
  tally = await scriptedRun(tracker, 'one');
  to = new Date(Date.now() + 3_600_000).toISOString();
  // The log holds every ended session once its end is recorded.
  await eventually(async () => {
    const logged = await collect(tracker.endedSessions({ since: Date.parse(from) }));
    expect(logged.map((s) => s.id).sort()).toEqual([...tally.endedIds].sort());
  });
});

afterAll(async () => {
  await tracker?.close();
  await server?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('botsession report', () => {
  it('prints as JSON exactly the rows tracker.report gives, which count the scripted run', async () => {
    const run = await runCli(['report', ...connection(), '--from', from, '--to', to, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = await tracker.report({ from: Date.parse(from), to: Date.parse(to) });
    expect(JSON.parse(run.stdout)).toEqual(expected);
    // Not vacuous: the report counted what the script did.
    for (const [channel, sessions] of Object.entries(tally.started)) {
      expect(expected.find((r) => r.channel === channel)?.sessions).toBe(sessions);
    }
  });

  it('prints in its tables the numbers of tracker.report, every field', async () => {
    const run = await runCli(['report', ...connection(), '--from', from, '--to', to]);
    expect(run.code).toBe(0);
    const rows = await tracker.report({ from: Date.parse(from), to: Date.parse(to) });
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      // The first table has 10 columns, the ends table 8: one line of each per channel.
      const activity = tableRows(run.stdout, row.channel).find((c) => c.length === 10)!;
      const ends = tableRows(run.stdout, row.channel).find((c) => c.length === 8)!;
      expect(activity.slice(1).map(num)).toEqual(
        [
          row.sessions,
          row.engaged,
          row.interactions,
          row.userMessages,
          row.botMessages,
          row.surveys.sent,
          row.surveys.answered,
          row.surveys.meanScore ?? Number.NaN,
          row.active,
        ].map((n) => (Number.isNaN(n) ? Number.NaN : Math.round(n * 10) / 10)),
      );
      expect(ends.slice(1).map(num)).toEqual([row.endedTotal, ...END_REASONS.map((r) => row.ended[r])]);
    }
    const totals = tableRows(run.stdout, 'total').find((c) => c.length === 10)!;
    expect(num(totals[1])).toBe(rows.reduce((sum, r) => sum + r.sessions, 0));
    expect(num(totals[3])).toBe(rows.reduce((sum, r) => sum + r.interactions, 0));
  });

  it('prints the CSV of tracker.report, rows per channel and day in a time zone', async () => {
    const run = await runCli([
      'report',
      ...connection(),
      '--from',
      from,
      '--to',
      to,
      '--by',
      'channel,day',
      '--tz',
      'Europe/Madrid',
      '--csv',
    ]);
    expect(run.code).toBe(0);
    const rows = await tracker.report({
      from: Date.parse(from),
      to: Date.parse(to),
      by: ['channel', 'day'],
      timeZone: 'Europe/Madrid',
    });
    const [head, ...records] = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
    expect(records).toHaveLength(rows.length);
    const column = (name: string) => head!.indexOf(name);
    rows.forEach((row, i) => {
      const record = records[i]!;
      expect(record[column('channel')]).toBe(row.channel);
      expect(record[column('period')]).toBe(row.period?.label);
      expect(num(record[column('sessions')])).toBe(row.sessions);
      expect(num(record[column('interactions')])).toBe(row.interactions);
      expect(num(record[column('ended_total')])).toBe(row.endedTotal);
      expect(num(record[column('ended_handoff')])).toBe(row.ended.handoff);
      expect(num(record[column('active')])).toBe(row.active);
    });
  });

  it('filters channels and reads another prefix as another store', async () => {
    const web = await runCli([
      'report',
      ...connection(),
      '--from',
      from,
      '--to',
      to,
      '--channel',
      'web',
      '--json',
    ]);
    expect(JSON.parse(web.stdout)).toEqual(
      await tracker.report({ from: Date.parse(from), to: Date.parse(to), channels: ['web'] }),
    );
    const other = await runCli(['report', '--redis', server.url, '--from', from, '--to', to, '--json']);
    expect(other.code).toBe(0);
    const rows = JSON.parse(other.stdout) as Array<{ sessions: number }>;
    expect(rows.reduce((sum, r) => sum + r.sessions, 0)).toBe(0);
  });
});

describe('botsession sessions, show, end', () => {
  it('lists the live sessions tracker.sessions gives, by channel too', async () => {
    const live = await collect(tracker.sessions({}));
    expect(live.length).toBe(tally.liveRefs.length);
    const table = await runCli(['sessions', ...connection()]);
    expect(table.code).toBe(0);
    for (const session of live) {
      const [row] = tableRows(table.stdout, session.id);
      expect(row?.slice(1, 3)).toEqual([
        `${session.channel}:${session.conversationId}`,
        session.userId ?? '',
      ]);
      expect(num(row?.[5])).toBe(session.interactions);
    }
    const json = await runCli(['sessions', ...connection(), '--channel', 'web', '--json']);
    const web = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Session);
    expect(web.map((s) => s.id).sort()).toEqual(
      live
        .filter((s) => s.channel === 'web')
        .map((s) => s.id)
        .sort(),
    );
    const limited = await runCli(['sessions', ...connection(), '--limit', '1']);
    expect(limited.stdout).toContain('1 live session shown; there are more (raise --limit)');
  });

  it("shows a conversation's live session, and an ended session by id from the log", async () => {
    const ref = tally.liveRefs[0]!;
    const live = await runCli(['show', `${ref.channel}:${ref.conversationId}`, ...connection(), '--json']);
    expect(live.code).toBe(0);
    expect(JSON.parse(live.stdout)).toEqual(await tracker.get(ref));
    const id = tally.endedIds[0]!;
    const ended = await runCli(['show', id, ...connection()]);
    expect(ended.code).toBe(0);
    const logged = (await collect(tracker.endedSessions({ since: Date.parse(from) }))).find(
      (s) => s.id === id,
    )!;
    expect(ended.stdout).toContain(id);
    expect(ended.stdout).toContain(`(${logged.endReason})`);
    const missing = await runCli(['show', 'web:nobody-here', ...connection()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'botsession: no live session for conversation web:nobody-here (nor a session with that id)\n',
    );
  });

  it('ends a live session with reason manual, and the report counts it', async () => {
    const range = { from: Date.parse(from), to: Date.parse(to) };
    const before = (await tracker.report(range)).find((r) => r.channel === 'sms')!;
    const ref = tally.liveRefs.find((r) => r.channel === 'sms')!;
    const session = (await tracker.get(ref))!;
    const run = await runCli(['end', `sms:${ref.conversationId}`, '--reason', 'manual', ...connection()]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(`^ended session ${session.id} \\(sms:.*\\): manual after .*, 2 interactions\\n$`),
    );
    expect(await tracker.get(ref)).toBeUndefined();
    // The export tests below read the log: let this end reach it first.
    await eventually(async () => {
      const logged = await collect(tracker.endedSessions({ since: Date.parse(from) }));
      expect(logged.map((s) => s.id)).toContain(session.id);
    });
    const after = (await tracker.report(range)).find((r) => r.channel === 'sms')!;
    expect(after.ended.manual).toBe(before.ended.manual + 1);
    // The bots hear about it: the CLI runs no sessionEnd handler, so a bot's worker delivers it.
    await eventually(() =>
      expect(botEnds.map((s) => [s.id, s.endReason])).toContainEqual([session.id, 'manual']),
    );
    const again = await runCli(['end', `sms:${ref.conversationId}`, ...connection()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`botsession: no live session for conversation sms:${ref.conversationId}\n`);
  });
});

describe('botsession export', () => {
  it('writes the session log as CSV to a file: one record per ended session, every field', async () => {
    const file = join(dir, 'log.csv');
    const run = await runCli(['export', ...connection(), '--since', from, '--format', 'csv', '--out', file]);
    expect(run.code).toBe(0);
    const logged = await collect(tracker.endedSessions({ since: Date.parse(from) }));
    expect(run.stderr).toBe(`exported ${logged.length} sessions to ${file}\n`);
    const [head, ...records] = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(head!.split(',').slice(0, 3)).toEqual(['id', 'channel', 'conversationId']);
    expect(records.map((r) => r.split(',')[0]).sort()).toEqual(logged.map((s) => s.id).sort());
  });

  it('writes NDJSON to stdout: the log records as tracker.endedSessions gives them', async () => {
    const run = await runCli(['export', ...connection(), '--since', '2h', '--until', to]);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Session);
    expect(lines).toEqual(await collect(tracker.endedSessions({ since: Date.parse(from) })));
    expect(lines.length).toBeGreaterThanOrEqual(tally.endedIds.length);
  });

  it('draws a progress bar when stderr is a terminal (run under script(1))', async () => {
    const file = join(dir, 'tty.ndjson');
    const command = [process.execPath, BIN, 'export', ...connection(), '--since', from, '--out', file]
      .map((a) => `'${a}'`)
      .join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      timeout: 60_000,
    });
    expect(stdout).toContain('exporting [');
    expect(stdout).toContain('100%');
    expect(stdout).toMatch(/exported \d+ sessions to /);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n').length).toBeGreaterThanOrEqual(
      tally.endedIds.length,
    );
  });
});

describe('botsession connection flags', () => {
  it('a bad prefix, named as the flag', async () => {
    const run = await runCli(['report', '--redis', server.url, '--prefix', '{x}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'botsession: --prefix must be a non-empty string without braces (they are added for Redis Cluster), got "{x}"\n',
    );
  });

  it('reads the server and the layout from BOTSESSION_*', async () => {
    const run = await runCli(['report', '--from', from, '--to', to, '--json'], {
      BOTSESSION_REDIS: server.url,
      BOTSESSION_PREFIX: PREFIX,
      BOTSESSION_SHARDS: String(SHARDS),
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      await tracker.report({ from: Date.parse(from), to: Date.parse(to) }),
    );
  });
});
