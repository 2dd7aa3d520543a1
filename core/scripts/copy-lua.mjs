// tsc copies no Lua: put the Redis commands beside the compiled backend that loads them.
// The target is emptied first: a renamed command (its KEYS count is in its name) must not
// leave its old file behind for the loader to find.
import { cpSync, rmSync } from 'node:fs';

const target = new URL('../dist/backends/redis/commands', import.meta.url);
rmSync(target, { recursive: true, force: true });
cpSync(new URL('../src/backends/redis/commands', import.meta.url), target, { recursive: true });
