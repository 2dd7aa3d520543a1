// Child processes for the pack check: run one to its end, or several a few at a time.
import { spawn } from 'node:child_process';

/**
 * Runs a command to its end and resolves `{ code, signal, stdout, stderr, stoppedOnOutput }`;
 * never rejects. `untilOutput` stops the command (SIGTERM) once its stdout matches, a moment
 * later, so that an error right after (say) listen() still shows.
 */
export function run(command, args, { cwd, env, timeoutMs = 300_000, untilOutput } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stoppedOnOutput = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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
      resolve({ code, signal, stdout, stderr, stoppedOnOutput });
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
