/**
 * Which conversation a reply token answers. `replyMessage` names no recipient, only the token
 * of the event it answers, so the webhook remembers each event's token with its conversation
 * and session, and the tracked client looks it up when the reply is sent. Shared through the
 * tracker, so a webhook and a client built with the same tracker find each other.
 *
 * A token is good for one reply, within about a minute of the webhook
 * (https://developers.line.biz/en/reference/messaging-api/#send-reply-message), so entries are
 * dropped once used or a few minutes old: bookkeeping of LINE's tokens, not a session rule.
 */
import type { ConversationRef, SessionTracker } from '@botsession/core';

export interface ReplyTarget {
  ref: ConversationRef;
  /** The session the reply answers (the event's stamp), if the event had one. */
  inReplyTo: string | undefined;
}

interface Entry extends ReplyTarget {
  at: number;
}

/** Long past LINE's one minute, so a slow handler's reply is still attributed. */
const KEEP_MS = 5 * 60_000;
/** A bound on memory whatever the traffic; the oldest tokens go first. */
const MAX_TOKENS = 50_000;

const byTracker = new WeakMap<SessionTracker, Map<string, Entry>>();

function tokensOf(tracker: SessionTracker): Map<string, Entry> {
  let tokens = byTracker.get(tracker);
  if (tokens === undefined) {
    tokens = new Map();
    byTracker.set(tracker, tokens);
  }
  return tokens;
}

/** Remembers the conversation a webhook event's reply token answers. */
export function rememberReplyToken(tracker: SessionTracker, token: string, target: ReplyTarget): void {
  const tokens = tokensOf(tracker);
  const now = Date.now();
  // Insertion order is arrival order: the stale ones are at the front.
  for (const [old, entry] of tokens) {
    if (now - entry.at < KEEP_MS && tokens.size < MAX_TOKENS) break;
    tokens.delete(old);
  }
  tokens.delete(token);
  tokens.set(token, { ...target, at: now });
}

/** The conversation a reply token answers, once: a token is good for one reply. */
export function takeReplyToken(tracker: SessionTracker, token: string): ReplyTarget | undefined {
  const tokens = tokensOf(tracker);
  const entry = tokens.get(token);
  if (entry === undefined) return undefined;
  tokens.delete(token);
  return Date.now() - entry.at < KEEP_MS ? entry : undefined;
}
