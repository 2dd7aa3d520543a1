import type { Session, SessionTracker } from '@botsession/core';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { connectionFlags, connectionOptions } from '../options.js';
import { parseRef, uuidV7Time } from '../ref.js';
import { sessionDetails } from '../session-format.js';
import { withTracker } from '../tracker-session.js';

/** Ids come from the bots' clocks, ends from the store's: allow for clocks a day apart. */
const CLOCK_MARGIN_MS = 86_400_000;

async function findById(tracker: SessionTracker, id: string): Promise<Session | undefined> {
  for await (const session of tracker.sessions({})) {
    if (session.id === id) return session;
  }
  // A UUIDv7 says when its session started, so the log is read from then on, not from the start.
  const madeAt = uuidV7Time(id);
  const since = madeAt === undefined ? 0 : Math.max(0, madeAt - CLOCK_MARGIN_MS);
  for await (const session of tracker.endedSessions({ since })) {
    if (session.id === id) return session;
  }
  return undefined;
}

/**
 * `botsession show ID|CHANNEL:CONVERSATION`: a conversation's live session (tracker.get),
 * or a session by id among the live sessions and the session log.
 */
export function showCommand(program: Command): void {
  const command = program
    .command('show')
    .description("a conversation's live session, or a session by id (live or in the session log)")
    .argument('<target>', 'CHANNEL:CONVERSATION, or a session id')
    .option('--json', 'the session as JSON');
  connectionOptions(command).action(async (target: string, flags: { json?: boolean }) => {
    const ref = target.includes(':') ? parseRef('the conversation', target) : undefined;
    const session = await withTracker(connectionFlags(command), async (tracker) => {
      const live = ref === undefined ? undefined : await tracker.get(ref);
      // A custom id may contain a colon too: fall back to the id search.
      return live ?? (await findById(tracker, target));
    });
    if (session === undefined) {
      throw new CliError(
        ref === undefined
          ? `no session ${target}, live or in the session log`
          : `no live session for conversation ${target} (nor a session with that id)`,
      );
    }
    process.stdout.write(
      flags.json ? `${JSON.stringify(session, null, 2)}\n` : sessionDetails(session, Date.now()),
    );
  });
}
