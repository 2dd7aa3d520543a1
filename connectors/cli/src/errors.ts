/** Exit codes: 0 done, 1 the command failed (store, not found), 2 bad usage (flags, dates, URLs). */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** An error meant for the operator: its message is printed as one line, never a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message);
  }
}

/** A bad flag value: `--from must be …, got "…"`. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/** Any error as one printable line: a CliError's message, otherwise the first line of the message. */
export function oneLine(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
  return error instanceof Error && error.name === 'StoreUnavailableError'
    ? `Redis is unavailable: ${first.replace(/^Redis is unavailable:?\s*/i, '')}`
    : first;
}
