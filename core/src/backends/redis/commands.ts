import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from './deadline.js';

const COMMANDS_DIR = new URL('./commands/', import.meta.url);

/** Reads one Lua command and inlines its `--- @include "name"` lines (BullMQ's convention). */
function loadLua(file: string): string {
  const source = readFileSync(new URL(file, COMMANDS_DIR), 'utf8');
  return source.replace(/^--- @include "([\w-]+)"$/gm, (_line, name: string) =>
    readFileSync(new URL(`includes/${name}.lua`, COMMANDS_DIR), 'utf8'),
  );
}

export interface Script {
  name: string;
  /** How many KEYS it takes: read from its file name, verbNoun-N.lua, as BullMQ's loader does. */
  keys: number;
  source: string;
  sha: string;
}

export type CommandName = 'trackMessage' | 'applyEvent' | 'sweepShard';

let loaded: Map<string, Script> | undefined;

/** Every command file, read once per process on first use. */
function scripts(): Map<string, Script> {
  if (loaded === undefined) {
    loaded = new Map();
    for (const file of readdirSync(COMMANDS_DIR)) {
      const match = /^(\w+)-(\d+)\.lua$/.exec(file);
      if (match === null) continue;
      if (loaded.has(match[1]!))
        throw new Error(`two Lua files for the command ${match[1]} in ${COMMANDS_DIR.pathname}`);
      const source = loadLua(file);
      const sha = createHash('sha1').update(source).digest('hex');
      loaded.set(match[1]!, { name: match[1]!, keys: Number(match[2]), source, sha });
    }
  }
  return loaded;
}

/**
 * Our Lua commands, sent as plain EVALSHA, falling back to EVAL (which also loads the script)
 * when Redis answers NOSCRIPT, after a restart or on a new cluster node: ioredis's
 * defineCommand does the same but cost 10 % of the hot path's throughput.
 */
export class Commands {
  private readonly byName = scripts();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
  ) {}

  run<T = unknown>(
    name: CommandName,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
    onLateAnswer?: (answer: T) => void,
  ): Promise<T> {
    const script = this.byName.get(name);
    if (script === undefined) throw new Error(`no Lua command ${name} in ${COMMANDS_DIR.pathname}`);
    if (keys.length !== script.keys) {
      throw new Error(`${name} takes ${script.keys} keys (its file name says so), got ${keys.length}`);
    }
    const sent = (this.client.evalsha(script.sha, script.keys, ...keys, ...args) as Promise<T>).catch(
      (error: Error) => {
        if (!error.message.startsWith('NOSCRIPT')) throw error;
        return this.client.eval(script.source, script.keys, ...keys, ...args) as Promise<T>;
      },
    );
    return withDeadline(
      sent,
      this.timeoutMs,
      () => new Error(`Redis did not answer within ${this.timeoutMs} ms`),
      onLateAnswer,
    );
  }
}
