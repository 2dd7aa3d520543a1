import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { endCommand } from './commands/end.js';
import { exportCommand } from './commands/export.js';
import { reportCommand } from './commands/report.js';
import { sessionsCommand } from './commands/sessions.js';
import { showCommand } from './commands/show.js';
import { CliError, EXIT_USAGE, oneLine } from './errors.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The `botsession` program; commands and their options live in commands/. */
export function buildProgram(): Command {
  const program = new Command('botsession')
    .description('Usage reports and live sessions of botsession bots, from their Redis or Redis Cluster.')
    .version(version)
    .showSuggestionAfterError()
    // Settings set here are inherited by every command added below.
    .exitOverride()
    .configureOutput({
      outputError: (message, write) =>
        write(
          `botsession: ${message
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });
  reportCommand(program);
  sessionsCommand(program);
  showCommand(program);
  endCommand(program);
  exportCommand(program);
  return program;
}

/**
 * Runs the CLI and resolves to its exit code. Every failure is one line on stderr, never a
 * stack: usage errors (flags, dates, URLs) exit 2, failures of the command itself exit 1.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; commander has already printed its one-line errors.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`botsession: ${oneLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
