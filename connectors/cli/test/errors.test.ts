/**
 * Every failure of the built binary is one line on stderr, a non-zero exit and nothing on
 * stdout: bad flags and dates fail before any connection, unreachable servers within seconds.
 */
import { expect, it } from 'vitest';
import { freePort, startRedis } from '../../../test/support/redis-server.js';
import { type CliRun, runCli } from './run-cli.js';

function oneLine(run: CliRun): void {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

it('a bad URL', async () => {
  const run = await runCli(['report', '--redis', 'localhost:6379']);
  oneLine(run);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe('botsession: --redis must be a redis:// or rediss:// URL, got "localhost:6379"\n');
});

it('an unreachable server', async () => {
  const port = await freePort();
  const run = await runCli(['sessions', '--redis', `redis://127.0.0.1:${port}`]);
  oneLine(run);
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(
    `botsession: cannot reach Redis at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
  );
});

it('an unreachable cluster', async () => {
  const port = await freePort();
  const run = await runCli(['report', '--cluster', `redis://127.0.0.1:${port}`]);
  oneLine(run);
  expect(run.stderr).toContain(
    `cannot reach Redis Cluster at 127.0.0.1:${port}: 127.0.0.1:${port}: connect ECONNREFUSED`,
  );
});

it('a bad date, before any connection (the server here is unreachable)', async () => {
  const run = await runCli([
    'export',
    '--redis',
    `redis://127.0.0.1:${await freePort()}`,
    '--since',
    'last tuesday',
  ]);
  oneLine(run);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--since must be an ISO date');
});

it('an unknown flag, with a suggestion on the same line', async () => {
  const run = await runCli(['report', '--form', '7d']);
  oneLine(run);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe("botsession: unknown option '--form' (Did you mean --from?)\n");
});

const BAD_USAGE: Array<[string[], string]> = [
  [
    ['report', '--tz', 'Mars/Olympus'],
    '--tz must be an IANA time zone such as Europe/Madrid or UTC, got "Mars/Olympus"',
  ],
  [['report', '--from', '1d', '--to', '2d'], '--from must be before --to'],
  [['report', '--by', 'week'], '--by takes channel, hour or day separated by commas, got "week"'],
  [['report', '--json', '--csv'], "option '--json' cannot be used with option '--csv'"],
  [['end', 'web:1', '--reason', 'bored'], "option '--reason <reason>' argument 'bored' is invalid"],
  [['end', 'web'], 'the conversation must be CHANNEL:CONVERSATION (web:visitor-42), got "web"'],
  [['export'], "required option '--since <date>' not specified"],
  [['export', '--since', '1d', '--format', 'xml'], "option '--format <format>' argument 'xml' is invalid"],
  [['sessions', '--limit', '0'], "option '--limit <n>' argument '0' is invalid"],
  [['report', '--shards', 'many'], "option '--shards <n>' argument 'many' is invalid"],
  [['report', '--redis', 'redis://h:1', '--cluster', 'redis://h:2'], 'give --redis or --cluster, not both'],
  [['reprot'], "unknown command 'reprot'"],
];

it.each(BAD_USAGE)('bad usage: %j', async (args, message) => {
  const run = await runCli(args);
  oneLine(run);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(message);
});

it('a plain Redis given as a cluster', async () => {
  const server = await startRedis();
  try {
    const run = await runCli(['sessions', '--cluster', server.url]);
    oneLine(run);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `botsession: Redis Cluster at 127.0.0.1:${server.port} is not serving: Failed to refresh slots cache. ERR This instance has cluster support disabled\n`,
    );
  } finally {
    await server.destroy();
  }
});
