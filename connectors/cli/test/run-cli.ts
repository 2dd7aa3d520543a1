import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built binary, as `npm install -g` or `npx botsession` would run it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `botsession ...args` as a child process; never rejects on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // No BOTSESSION_* from the machine running the tests.
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** The cells of every table line of `text` whose first cells are `start`. */
export function tableRows(text: string, ...start: string[]): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => start.every((s, i) => cells[i] === s));
}

/** `1,234` → 1234. */
export function num(cell: string | undefined): number {
  return Number((cell ?? '').replaceAll(',', ''));
}
