/**
 * Real redis-server processes for tests: one server on a free port (optionally with AOF, so
 * it can be restarted without losing data), or a local 3-master Redis Cluster. Debian's
 * redis-server is installed by scripts/test.sh when missing. Nothing here mocks Redis.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server gracefully (AOF flushed) and keeps its data directory. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
  /** SIGSTOP: the server freezes (connections stay open, nothing answers) until `resume`. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** `redis-cli` against this server. */
  cli(...args: string[]): Promise<string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface StartOptions {
  /** Append-only file with fsync on every write: a restart loses nothing. */
  aof?: boolean;
  /** Extra redis-server arguments, e.g. cluster mode. */
  args?: string[];
}

export async function startRedis(options: StartOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `botsession-redis-${port}-`));
  let child: ChildProcess | undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.aof ? 'yes' : 'no',
    '--appendfsync',
    'always',
    ...(options.args ?? []),
  ];
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli: (...a) => cli(port, ...a),
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      const started = child;
      started.once('exit', () => {
        if (child === started) child = undefined;
      });
      await waitFor(async () => (await cli(port, 'ping')) === 'PONG', `redis-server on port ${port}`);
    },
    async stop() {
      const running = child;
      if (running === undefined) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM'); // redis-server flushes the AOF and exits
      await exited;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async destroy() {
      child?.kill('SIGCONT');
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export interface RedisCluster {
  nodes: Array<{ host: string; port: number }>;
  destroy(): Promise<void>;
}

/** Three masters, no replicas: `redis-server --cluster-enabled yes` ×3 + `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const servers = await Promise.all(
    [0, 1, 2].map(() =>
      startRedis({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
        ],
      }),
    ),
  );
  const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
  await waitFor(
    async () =>
      (await Promise.all(servers.map((s) => s.cli('cluster', 'info')))).every((info) =>
        info.includes('cluster_state:ok'),
      ),
    'the cluster to agree',
  );
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    async destroy() {
      await Promise.all(servers.map((s) => s.destroy()));
    },
  };
}
