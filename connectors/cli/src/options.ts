import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ConnectionFlags } from './connection.js';

/**
 * Where the store is and how the bots laid it out: `--redis` or `--cluster`, and `--prefix`,
 * `--shards`, `--queues` as given to the bots' redisBackend; each also from the environment.
 */
export function connectionOptions(command: Command): Command {
  return (
    command
      .addOption(
        new Option(
          '--redis <url>',
          'one Redis server, redis://[user:password@]host:port[/db] or rediss://',
        ).env('BOTSESSION_REDIS'),
      )
      .addOption(
        new Option(
          '--cluster <urls>',
          'Redis Cluster: startup nodes as redis:// URLs separated by commas',
        ).env('BOTSESSION_CLUSTER'),
      )
      .addOption(
        new Option('--prefix <prefix>', "the bots' key prefix (redisBackend's prefix option)").env(
          'BOTSESSION_PREFIX',
        ),
      )
      // The store's layout: read with other values, the CLI would look in the wrong places.
      .addOption(
        new Option('--shards <n>', "the bots' redisBackend shards option (default 16)")
          .env('BOTSESSION_SHARDS')
          .argParser(positiveInteger),
      )
      .addOption(
        new Option('--queues <n>', "the bots' redisBackend queues option (default 4)")
          .env('BOTSESSION_QUEUES')
          .argParser(positiveInteger),
      )
  );
}

/**
 * The connection flags of a parsed command. A flag on the command line beats the other kind
 * from the environment (`BOTSESSION_REDIS` set, `--cluster` given: the cluster is used);
 * both on the command line is an error (see targetOf).
 */
export function connectionFlags(command: Command): ConnectionFlags {
  const opts = command.opts<ConnectionFlags>();
  const fromEnv = (name: string) => command.getOptionValueSource(name) === 'env';
  const flags: ConnectionFlags = {};
  const both = opts.redis !== undefined && opts.cluster !== undefined;
  if (opts.redis !== undefined && !(both && fromEnv('redis') && !fromEnv('cluster')))
    flags.redis = opts.redis;
  if (opts.cluster !== undefined && !(both && fromEnv('cluster') && !fromEnv('redis')))
    flags.cluster = opts.cluster;
  if (opts.prefix !== undefined) flags.prefix = opts.prefix;
  if (opts.shards !== undefined) flags.shards = opts.shards;
  if (opts.queues !== undefined) flags.queues = opts.queues;
  return flags;
}

/** A commander parser for `--limit`: a positive integer. */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a positive integer.');
  }
  return Number(value);
}

/** `web, telegram` → `['web', 'telegram']`. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
