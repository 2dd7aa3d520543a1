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

export type LuaReply = Array<string | number | null>;

/** The ioredis client with our Lua commands defined (EVALSHA, falling back to EVAL on NOSCRIPT). */
export type CommandClient = (Redis | Cluster) & {
  applyEvent(sessionKey: string, endedKey: string, ...args: Array<string | number>): Promise<LuaReply>;
  expireSession(sessionKey: string, endedKey: string, ...args: Array<string | number>): Promise<LuaReply>;
};

let sources: { applyEvent: string; expireSession: string } | undefined;

export function defineCommands(client: Redis | Cluster): CommandClient {
  sources ??= { applyEvent: loadLua('applyEvent-2.lua'), expireSession: loadLua('expireSession-2.lua') };
  // The key count is in each file's name (applyEvent-2: two KEYS), as in BullMQ.
  client.defineCommand('applyEvent', { numberOfKeys: 2, lua: sources.applyEvent });
  client.defineCommand('expireSession', { numberOfKeys: 2, lua: sources.expireSession });
  return client as CommandClient;
}
