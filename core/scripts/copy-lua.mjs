// tsc copies no Lua: put the Redis commands beside the compiled backend that loads them.
import { cpSync } from 'node:fs';

cpSync(
  new URL('../src/backends/redis/commands', import.meta.url),
  new URL('../dist/backends/redis/commands', import.meta.url),
  {
    recursive: true,
  },
);
