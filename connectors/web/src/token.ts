import { randomBytes } from 'node:crypto';
import { hmac, safeEqual } from '@botsession/webhook';

/**
 * Conversation tokens: `<conversationId>.<issuedAt>.<signature>`. The id is 144 random bits, so
 * it cannot be guessed; the HMAC binds it and its issue time to this server's secret, so a
 * client cannot make up an id (or borrow another visitor's) or extend a token's life. A token
 * is valid `lifetimeMs` after it was issued; the server renews it (same conversation, new
 * time, current secret) once it is half-way through, or when a previous secret signed it.
 * Whether the conversation's session is still alive is the tracker's rule, not the token's.
 */
export interface ConversationTokens {
  issue(conversationId?: string): { token: string; conversationId: string };
  /** What the token carries, or why it is refused. */
  verify(token: unknown): VerifiedToken;
}

export type VerifiedToken =
  | {
      ok: true;
      conversationId: string /** A fresh token to hand back, when this one should be renewed. */;
      renewed?: string;
    }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const ID_PREFIX = 'w_';
const TOKEN_SHAPE = /^(w_[A-Za-z0-9_-]{24})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;
// Clocks of processes sharing a secret disagree a little: a token "from the future" within this is fine.
const CLOCK_SKEW_MS = 5 * 60_000;

export function conversationTokens(options: {
  secret: string;
  previousSecrets: readonly string[];
  lifetimeMs: number;
  now?: () => number;
}): ConversationTokens {
  const { secret, previousSecrets, lifetimeMs, now = Date.now } = options;
  const sign = (key: string, conversationId: string, issuedAt: string) =>
    hmac('sha256', key, `botsession-web:${conversationId}:${issuedAt}`, 'base64url');
  const issue = (conversationId = ID_PREFIX + randomBytes(18).toString('base64url')) => {
    const issuedAt = now().toString(36);
    return {
      conversationId,
      token: `${conversationId}.${issuedAt}.${sign(secret, conversationId, issuedAt)}`,
    };
  };
  return {
    issue,
    verify(token) {
      const parts = typeof token === 'string' ? TOKEN_SHAPE.exec(token) : null;
      if (parts === null) return { ok: false, reason: 'malformed' };
      const [, conversationId, issuedAt, signature] = parts as unknown as [string, string, string, string];
      // Compare the text, not decoded bytes: base64url's last character carries padding bits,
      // so decoding would accept several spellings of one signature. Every key is compared,
      // so the time taken does not tell which one matched.
      let current = false;
      let previous = false;
      current = safeEqual(signature, sign(secret, conversationId, issuedAt));
      for (const old of previousSecrets)
        previous = safeEqual(signature, sign(old, conversationId, issuedAt)) || previous;
      if (!current && !previous) return { ok: false, reason: 'forged' };
      const age = now() - Number.parseInt(issuedAt, 36);
      if (age > lifetimeMs || age < -CLOCK_SKEW_MS) return { ok: false, reason: 'expired' };
      if (!current || age > lifetimeMs / 2)
        return { ok: true, conversationId, renewed: issue(conversationId).token };
      return { ok: true, conversationId };
    },
  };
}
