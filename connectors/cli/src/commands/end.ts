import { END_REASONS, type EndReason } from '@botsession/core';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { duration } from '../format.js';
import { connectionFlags, connectionOptions } from '../options.js';
import { parseRef } from '../ref.js';
import { withTracker } from '../tracker-session.js';

/**
 * `botsession end CHANNEL:CONVERSATION --reason manual`: ends a conversation's live session
 * through tracker.end. The bots' expiry workers deliver its `sessionEnd`, as for any end.
 */
export function endCommand(program: Command): void {
  const command = program
    .command('end')
    .description("end a conversation's live session")
    .argument('<conversation>', 'CHANNEL:CONVERSATION')
    .addOption(new Option('--reason <reason>', 'the end reason').choices(END_REASONS).default('manual'))
    .option('--json', 'the ended session as JSON');
  connectionOptions(command).action(async (target: string, flags: { reason: EndReason; json?: boolean }) => {
    const ref = parseRef('the conversation', target);
    const session = await withTracker(connectionFlags(command), (tracker) => tracker.end(ref, flags.reason));
    if (session === undefined) throw new CliError(`no live session for conversation ${target}`);
    if (session.status !== 'ended') {
      // Ends other than manual are gated by the channel's policy (the CLI knows only the defaults).
      throw new CliError(
        `session ${session.id} was not ended: the ${ref.channel} policy does not end sessions on "${flags.reason}" (--reason manual always ends)`,
      );
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(session, null, 2)}\n`);
      return;
    }
    const lived =
      session.endedAt === undefined ? '' : ` after ${duration(session.endedAt - session.startedAt)}`;
    process.stdout.write(
      `ended session ${session.id} (${target}): ${session.endReason}${lived}, ${session.interactions} interactions\n`,
    );
  });
}
