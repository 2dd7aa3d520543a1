import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from './deadline.js';

const COMMANDS_DIR = new URL('./commands/', import.meta.url);
const INCLUDE = /^--- @include "([\w-]+)"\n/gm;

function readInclude(name: string): string {
  return readFileSync(new URL(`includes/${name}.lua`, COMMANDS_DIR), 'utf8');
}

export interface Script {
  name: string;
  /** How many KEYS it takes: read from its file name, verbNoun-N.lua, as BullMQ's loader does. */
  keys: number;
  /** The command with its `--- @include "name"` lines inlined (BullMQ's convention): for EVAL. */
  source: string;
  sha: string;
  /** The command without its includes: a function body of the library (see `Library`). */
  body: string;
  includes: string[];
}

export type CommandName = 'trackMessage' | 'applyEvent' | 'sweepShard';

/**
 * Every command as one Redis Functions library. Its helpers are defined once, when the library
 * is loaded, instead of on every call as an EVAL script does; measured on Redis 7.0, that was a
 * third of a message's Redis time. Names carry the source's hash, as a script's SHA does, so
 * processes running two versions of botsession on one Redis each call their own.
 */
export interface Library {
  name: string;
  source: string;
  functionOf: Record<CommandName, string>;
}

let loaded: { scripts: Map<string, Script>; library: Library } | undefined;

/** Every command file, read once per process on first use. */
function commandFiles(): { scripts: Map<string, Script>; library: Library } {
  if (loaded !== undefined) return loaded;
  const scripts = new Map<string, Script>();
  for (const file of readdirSync(COMMANDS_DIR).sort()) {
    const match = /^(\w+)-(\d+)\.lua$/.exec(file);
    if (match === null) continue;
    if (scripts.has(match[1]!)) {
      throw new Error(`two Lua files for the command ${match[1]} in ${COMMANDS_DIR.pathname}`);
    }
    const text = readFileSync(new URL(file, COMMANDS_DIR), 'utf8');
    const includes = [...text.matchAll(INCLUDE)].map((m) => m[1]!);
    const source = text.replace(INCLUDE, (_line, name: string) => `${readInclude(name)}\n`);
    const sha = createHash('sha1').update(source).digest('hex');
    const body = text.replace(INCLUDE, '');
    scripts.set(match[1]!, { name: match[1]!, keys: Number(match[2]), source, sha, body, includes });
  }
  loaded = { scripts, library: libraryOf(scripts) };
  return loaded;
}

/**
 * The library: every include once, in the order the commands name them, then one registered
 * function per command whose body is the command file unchanged (its parameters are called
 * KEYS and ARGV, so the same text runs as a script and as a function).
 */
function libraryOf(scripts: Map<string, Script>): Library {
  const includes: string[] = [];
  for (const script of scripts.values()) {
    let at = 0;
    for (const name of script.includes) {
      const known = includes.indexOf(name);
      if (known === -1) includes.splice(at++, 0, name);
      else if (known < at) throw new Error(`the Lua includes of ${script.name} are in another order`);
      else at = known + 1;
    }
  }
  const common = includes.map(readInclude).join('\n');
  const commands = [...scripts.values()];
  const hash = createHash('sha1')
    .update(common)
    .update(commands.map((c) => c.name + c.body).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const name = `botsession_${hash}`;
  const functionOf = {} as Record<CommandName, string>;
  const registrations = commands.map((command) => {
    functionOf[command.name as CommandName] = `${name}_${command.name}`;
    return `redis.register_function('${name}_${command.name}', function(KEYS, ARGV)\n${command.body}\nend)`;
  });
  return { name, functionOf, source: `#!lua name=${name}\n${common}\n${registrations.join('\n')}\n` };
}

/** The library's source, for tests and tools. */
export function commandLibrary(): Library {
  return commandFiles().library;
}

/** How often one call loads the library again when the server keeps losing it (see `fcall`). */
const MAX_RELOADS = 10;

/** How Redis answers a server without Functions (before 7.0) or a user not allowed them. */
function functionsUnavailable(error: Error): boolean {
  return /^ERR unknown command|^NOPERM/.test(error.message);
}

/**
 * Our Lua commands. On Redis 7 and later, FCALL of a library loaded once per server (on every
 * master of a Cluster); the library is loaded again when a server answers that it lacks it
 * (after a restart without persistence, FUNCTION FLUSH, a new Cluster node). Where Functions are
 * unavailable (Redis 6, a user without them), plain EVALSHA falling back to EVAL on NOSCRIPT:
 * ioredis's defineCommand does the same but cost 10 % of the hot path's throughput.
 */
export class Commands {
  private readonly scripts: Map<string, Script>;
  private readonly library: Library;
  private useFunctions = true;
  /** How many loads were started; the one in flight, if any, with its number. */
  private loadsStarted = 0;
  private loading: { number: number; done: Promise<void> } | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
  ) {
    ({ scripts: this.scripts, library: this.library } = commandFiles());
  }

  /** Whether calls go through Redis Functions (false once a server has said it has none). */
  get functions(): boolean {
    return this.useFunctions;
  }

  run<T = unknown>(
    name: CommandName,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
    onLateAnswer?: (answer: T) => void,
  ): Promise<T> {
    const script = this.scripts.get(name);
    if (script === undefined) throw new Error(`no Lua command ${name} in ${COMMANDS_DIR.pathname}`);
    if (keys.length !== script.keys) {
      throw new Error(`${name} takes ${script.keys} keys (its file name says so), got ${keys.length}`);
    }
    const sent = this.useFunctions ? this.fcall<T>(script, keys, args) : this.evalsha<T>(script, keys, args);
    return withDeadline(
      sent,
      this.timeoutMs,
      () => new Error(`Redis did not answer within ${this.timeoutMs} ms`),
      onLateAnswer,
    );
  }

  /**
   * FCALL, loading the library when the server says it lacks it, then calling again. A call
   * answered "Function not found" never ran, so calling again cannot count anything twice; and
   * the server may lose the library again between our load and our call (another FUNCTION FLUSH,
   * a failover to a replica that never had it), so it loads and calls again, a few times. It
   * joins a load in flight only if that load was sent after the call: one sent before may have
   * run before the flush the call met.
   */
  private fcall<T>(
    script: Script,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
    reloads = 0,
  ): Promise<T> {
    const fn = this.library.functionOf[script.name as CommandName];
    const loadsBefore = this.loadsStarted;
    return (this.client.fcall(fn, script.keys, ...keys, ...args) as Promise<T>).catch((error: Error) => {
      if (functionsUnavailable(error)) {
        this.useFunctions = false;
        return this.evalsha<T>(script, keys, args);
      }
      if (!error.message.startsWith('ERR Function not found') || reloads >= MAX_RELOADS) throw error;
      return this.loadAfter(loadsBefore).then(() =>
        this.useFunctions
          ? this.fcall<T>(script, keys, args, reloads + 1)
          : this.evalsha<T>(script, keys, args),
      );
    });
  }

  private evalsha<T>(
    script: Script,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<T> {
    return (this.client.evalsha(script.sha, script.keys, ...keys, ...args) as Promise<T>).catch(
      (error: Error) => {
        if (!error.message.startsWith('NOSCRIPT')) throw error;
        return this.client.eval(script.source, script.keys, ...keys, ...args) as Promise<T>;
      },
    );
  }

  /**
   * Loads the library on the server, or on every master of a Cluster. Calls that need a load
   * started after the `loadsBefore`-th share one; loading twice is harmless ("already exists").
   */
  private loadAfter(loadsBefore: number): Promise<void> {
    if (this.loading !== undefined && this.loading.number > loadsBefore) return this.loading.done;
    const number = ++this.loadsStarted;
    const done = (async () => {
      const servers = this.client.isCluster ? (this.client as Cluster).nodes('master') : [this.client];
      await Promise.all(
        servers.map((server) =>
          (server.call('FUNCTION', 'LOAD', this.library.source) as Promise<unknown>).catch((error: Error) => {
            if (/already exists/.test(error.message)) return;
            if (functionsUnavailable(error)) {
              this.useFunctions = false;
              return;
            }
            throw error;
          }),
        ),
      );
    })().finally(() => {
      if (this.loading?.number === number) this.loading = undefined;
    });
    this.loading = { number, done };
    return done;
  }
}
