import type { Session } from '@botsession/core';
import type { Command } from 'commander';
import { connectionFlags, connectionOptions, positiveInteger } from '../options.js';
import { sessionsTable } from '../session-format.js';
import { withTracker } from '../tracker-session.js';

interface SessionsFlags {
  channel?: string;
  limit: number;
  json?: boolean;
}

/** `botsession sessions`: the live sessions, as a table or NDJSON. */
export function sessionsCommand(program: Command): void {
  const command = program
    .command('sessions')
    .description('list live sessions')
    .option('--channel <id>', 'only this channel')
    .option('--limit <n>', 'at most this many sessions', positiveInteger, 100)
    .option('--json', 'one JSON session per line (NDJSON)');
  connectionOptions(command).action(async (flags: SessionsFlags) => {
    const sessions = await withTracker(connectionFlags(command), async (tracker) => {
      // One more than shown, to tell whether there are more.
      const limit = flags.limit + 1;
      const found: Session[] = [];
      const options = flags.channel === undefined ? { limit } : { channel: flags.channel, limit };
      for await (const session of tracker.sessions(options)) {
        found.push(session);
        if (found.length >= limit) break;
      }
      return found;
    });
    const more = sessions.length > flags.limit;
    if (more) sessions.length = flags.limit;
    if (flags.json) {
      process.stdout.write(sessions.map((s) => `${JSON.stringify(s)}\n`).join(''));
    } else if (sessions.length === 0) {
      process.stdout.write(`No live sessions${flags.channel === undefined ? '' : ` on ${flags.channel}`}.\n`);
    } else {
      process.stdout.write(sessionsTable(sessions, Date.now()));
      process.stdout.write(
        `${sessions.length} live session${sessions.length === 1 ? '' : 's'}${more ? ` shown; there are more (raise --limit)` : ''}\n`,
      );
    }
  });
}
