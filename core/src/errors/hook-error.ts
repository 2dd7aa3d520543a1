import type { Session } from '../types.js';

/** A `sessionStart` or `sessionEnd` handler threw or rejected; tracking went on regardless. */
export class HookError extends Error {
  override name = 'HookError';
  constructor(
    readonly hook: 'sessionStart' | 'sessionEnd',
    readonly session: Session,
    cause: unknown,
  ) {
    super(`${hook} handler failed for session ${session.id}: ${String((cause as Error)?.message ?? cause)}`, {
      cause,
    });
  }
}
