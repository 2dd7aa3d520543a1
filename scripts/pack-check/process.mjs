// Child processes for the pack check: run one to its end, or several a few at a time.
import { spawn } from 'node:child_process';

/**
 * Runs a command to its end and resolves `{ code, signal, stdout, stderr, stoppedOnOutput,
 * settled }`; never rejects. `untilOutput` stops the command (SIGTERM) once its stdout matches,
 * a moment later, so that an error right after (say) listen() still shows; `settleMs` stops it
 * (SIGTERM, `settled`) if it is still running then; `timeoutMs` kills it.
 */
export function run(command, args, { cwd, env, timeoutMs = 300_000, untilOutput, settleMs } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stoppedOnOutput = false;
    let settled = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const settle =
      settleMs === undefined
        ? undefined
        : setTimeout(() => {
            if (stoppedOnOutput) return;
            settled = true;
            child.kill('SIGTERM');
          }, settleMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (untilOutput && !stoppedOnOutput && untilOutput.test(stdout)) {
        stoppedOnOutput = true;
        setTimeout(() => child.kill('SIGTERM'), 300);
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      stderr += `${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(settle);
      resolve({ code, signal, stdout, stderr, stoppedOnOutput, settled });
    });
  });
}

/** Runs `work` over `items`, `limit` at a time. */
export async function eachLimited(items, limit, work) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      while (queue.length) await work(queue.shift());
    }),
  );
}

/**
 * tsc's errors (`file(line,col): error TS…`), split into ours (snippets, our packages) and
 * theirs (another package's own typings under node_modules), one line each.
 */
export function splitTypeErrors(tscOutput) {
  const errors = tscOutput.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS\d+/.test(line));
  const theirs = errors.filter(
    (line) => /(^|\/)node_modules\//.test(line) && !/node_modules\/@botsession\//.test(line),
  );
  return { ours: errors.filter((line) => !theirs.includes(line)), theirs };
}
