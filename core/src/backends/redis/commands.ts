import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

const COMMANDS_DIR = new URL('./commands/', import.meta.url);

/** Reads one Lua command and inlines its `--- @include "name"` lines (BullMQ's convention). */
function loadLua(file: string): string {
  const source = readFileSync(new URL(file, COMMANDS_DIR), 'utf8');
  return source.replace(/^--- @include "([\w-]+)"$/gm, (_line, name: string) =>
    readFileSync(new URL(`includes/${name}.lua`, COMMANDS_DIR), 'utf8'),
  );
}

type Command = (sessionKey: string, endedKey: string, ...args: Array<string | number>) => Promise<string>;

/** The ioredis client with our Lua commands defined (EVALSHA, falling back to EVAL on NOSCRIPT). */
export type CommandClient = (Redis | Cluster) & {
  trackMessage: Command;
  endSession: Command;
  expireSession: Command;
};

const NAMES = ['trackMessage', 'endSession', 'expireSession'] as const;
let sources: Map<string, string> | undefined;

export function defineCommands(client: Redis | Cluster): CommandClient {
  // Each file is named verbNoun-N.lua, N its number of KEYS, as in BullMQ.
  sources ??= new Map(NAMES.map((name) => [name, loadLua(`${name}-2.lua`)]));
  for (const name of NAMES) client.defineCommand(name, { numberOfKeys: 2, lua: sources.get(name)! });
  return client as CommandClient;
}
