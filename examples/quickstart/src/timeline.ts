import type { Session } from '@botsession/core';

const startedAt = Date.now();
const sessionNames = new Map<string, string>();

/** Short, readable session labels (S1, S2, …) beside the real id, in order of appearance. */
export function label(sessionId: string): string {
  let name = sessionNames.get(sessionId);
  if (name === undefined) {
    name = `S${sessionNames.size + 1}`;
    sessionNames.set(sessionId, name);
  }
  return name;
}

/** One timeline line: elapsed seconds, channel, then what happened. */
export function line(channel: string, text: string): void {
  const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
  console.log(`+${elapsed}s  ${channel.padEnd(9)} ${text}`);
}

export function describeEnd(session: Session): string {
  const lived = ((session.endedAt! - session.startedAt) / 1000).toFixed(1);
  const clock =
    session.endReason === 'inactivity' && session.lastUserMessageAt !== undefined
      ? `, ${((session.endedAt! - session.lastUserMessageAt) / 1000).toFixed(1)}s after the user's last message`
      : '';
  return (
    `■ ${label(session.id)} ended: ${session.endReason} after ${lived}s${clock} ` +
    `(${session.interactions} interactions: ${session.userMessages} user, ${session.botMessages} bot)`
  );
}
