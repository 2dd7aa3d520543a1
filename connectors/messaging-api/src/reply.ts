import type { FollowUp, MessageReply } from './options.js';

const FOLLOW_UPS = new Set<unknown>(['handoff', 'surveySent', 'surveyAnswered']);

export interface NormalizedReply {
  replies: string[];
  after?: FollowUp;
}

/**
 * What `onMessage` returned, as a list of replies and an optional follow-up. Anything else
 * is a bug in the bot, thrown like any failure of `onMessage` (the session is interrupted).
 */
export function normalizeReply(value: MessageReply): NormalizedReply {
  if (value === undefined || value === null) return { replies: [] };
  if (typeof value === 'string') return { replies: [value] };
  if (Array.isArray(value)) return { replies: stringsOf(value) };
  if (typeof value === 'object') {
    const { replies, after } = value as { replies?: unknown; after?: unknown };
    if (after !== undefined && !FOLLOW_UPS.has(after)) {
      throw new TypeError(
        `onMessage returned after: ${JSON.stringify(after)}, expected handoff, surveySent or surveyAnswered`,
      );
    }
    const list = replies === undefined ? [] : typeof replies === 'string' ? [replies] : stringsOf(replies);
    return after === undefined ? { replies: list } : { replies: list, after: after as FollowUp };
  }
  throw new TypeError(
    `onMessage must return a string, an array of strings or { replies, after }, got ${typeof value}`,
  );
}

function stringsOf(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError('onMessage returned replies that are not all strings');
  }
  return [...value];
}
