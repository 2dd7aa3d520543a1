#!/usr/bin/env node
import { main } from './program.js';

// `botsession export … | head`: the reader left; stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`botsession: cannot write the output: ${error.message}\n`);
  process.exit(1);
});

// Exit as soon as the command is done: a one-shot command must not wait on client timers.
// Output to pipes and files is written synchronously on Linux, so nothing is lost.
const code = await main(process.argv);
process.exit(code);
