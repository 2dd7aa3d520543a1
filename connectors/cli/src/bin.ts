#!/usr/bin/env node
import { main } from './program.js';

// Exit as soon as the command is done: a one-shot command must not wait on client timers.
// Output to pipes and files is written synchronously on Linux, so nothing is lost.
const code = await main(process.argv);
process.exit(code);
