import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { checkTimeZone, parseDate } from '../dates.js';
import { CliError, usageError } from '../errors.js';
import { count } from '../format.js';
import { connectionFlags, connectionOptions } from '../options.js';
import { exportProgress } from '../progress.js';
import { sessionCsvHeader, sessionCsvLine, sessionNdjsonLine } from '../session-format.js';
import { withTracker } from '../tracker-session.js';

interface ExportFlags {
  since: string;
  until?: string;
  format: 'ndjson' | 'csv';
  out?: string;
  channel?: string;
  tz: string;
  progress: boolean;
}

/** Lines gathered before one write: fewer syscalls on a large log. */
const BATCH_LINES = 500;

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function openOut(file: string | undefined): Promise<{ out: Writable; done(): Promise<void> }> {
  if (file === undefined) return { out: process.stdout, done: async () => {} };
  try {
    const handle = await open(file, 'w');
    const out = handle.createWriteStream();
    return {
      out,
      async done() {
        await new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      },
    };
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

/**
 * `botsession export`: the session log (every ended session once) between two dates, as
 * NDJSON or CSV, to stdout or a file, with a progress bar when a person watches stderr.
 */
export function exportCommand(program: Command): void {
  const command = program
    .command('export')
    .description('the session log (ended sessions) as NDJSON or CSV')
    .requiredOption(
      '--since <date>',
      'sessions that ended from then: ISO date or time, or a duration ago (7d, 24h)',
    )
    .option('--until <date>', 'sessions that ended before then (default: now)')
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--channel <id>', 'only this channel')
    .option('--tz <zone>', 'IANA time zone of dates given without an offset', 'UTC')
    .option('--no-progress', 'no progress bar, even on a terminal');
  connectionOptions(command).action(async (flags: ExportFlags) => {
    const now = Date.now();
    const timeZone = checkTimeZone('--tz', flags.tz);
    const since = parseDate('--since', flags.since, now, timeZone);
    const until = flags.until === undefined ? undefined : parseDate('--until', flags.until, now, timeZone);
    if (until !== undefined && since >= until) {
      throw usageError(
        `--since must be before --until, got ${new Date(since).toISOString()} and ${new Date(until).toISOString()}`,
      );
    }
    const exported = await withTracker(connectionFlags(command), async (tracker) => {
      const target = await openOut(flags.out);
      // The bar goes to stderr, and never over records printed on the same terminal.
      const watched =
        flags.progress && process.stderr.isTTY === true && (flags.out !== undefined || !process.stdout.isTTY);
      const progress = exportProgress(watched, since, until ?? now);
      const line = flags.format === 'csv' ? sessionCsvLine : sessionNdjsonLine;
      let exported = 0;
      let batch = flags.format === 'csv' ? sessionCsvHeader() : '';
      let lines = 0;
      let complete = false;
      try {
        const options: { since: number; until?: number; channel?: string } = { since };
        if (until !== undefined) options.until = until;
        if (flags.channel !== undefined) options.channel = flags.channel;
        for await (const session of tracker.endedSessions(options)) {
          batch += line(session);
          exported++;
          progress.tick(session.endedAt);
          if (++lines >= BATCH_LINES) {
            await write(target.out, batch);
            batch = '';
            lines = 0;
          }
        }
        if (batch !== '') await write(target.out, batch);
        complete = true;
      } finally {
        progress.stop(complete);
        await target.done();
      }
      return exported;
    });
    if (flags.out !== undefined || process.stderr.isTTY) {
      process.stderr.write(
        `exported ${count(exported)} session${exported === 1 ? '' : 's'}${flags.out === undefined ? '' : ` to ${flags.out}`}\n`,
      );
    }
  });
}
