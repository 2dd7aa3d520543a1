import { createHash } from 'node:crypto';
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

interface Script {
  source: string;
  sha: string;
}

function script(name: string): Script {
  const source = loadLua(name);
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

type Scripts = { trackMessage: Script; endSession: Script; expireSession: Script };
let loaded: Scripts | undefined;

/** Read once per process, on first use. */
function scripts(): Scripts {
  if (loaded === undefined) {
    loaded = {
      trackMessage: script('trackMessage-2.lua'),
      endSession: script('endSession-2.lua'),
      expireSession: script('expireSession-2.lua'),
    };
  }
  return loaded;
}

/**
 * Our Lua commands, each a file named verbNoun-N.lua (N: its number of KEYS, here always
 * two) as in BullMQ. Sent as plain EVALSHA, falling back to EVAL (which also loads the
 * script) when Redis answers NOSCRIPT, after a restart or on a new cluster node: ioredis's
 * defineCommand does the same but cost 10 % of the hot path's throughput.
 */
export class Commands {
  private readonly scripts = scripts();

  constructor(private readonly client: Redis | Cluster) {}

  trackMessage(sessionKey: string, endedKey: string, ...args: Array<string | number>): Promise<string> {
    return this.run(this.scripts.trackMessage, sessionKey, endedKey, args);
  }

  endSession(sessionKey: string, endedKey: string, ...args: Array<string | number>): Promise<string> {
    return this.run(this.scripts.endSession, sessionKey, endedKey, args);
  }

  expireSession(sessionKey: string, endedKey: string, ...args: Array<string | number>): Promise<string> {
    return this.run(this.scripts.expireSession, sessionKey, endedKey, args);
  }

  private run(
    script: Script,
    sessionKey: string,
    endedKey: string,
    args: Array<string | number>,
  ): Promise<string> {
    return (this.client.evalsha(script.sha, 2, sessionKey, endedKey, ...args) as Promise<string>).catch(
      (error: Error) => {
        if (!error.message.startsWith('NOSCRIPT')) throw error;
        return this.client.eval(script.source, 2, sessionKey, endedKey, ...args) as Promise<string>;
      },
    );
  }
}
