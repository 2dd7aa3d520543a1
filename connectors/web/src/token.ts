import { randomBytes } from 'node:crypto';
import { hmac, safeEqual } from '@botsession/webhook';

/**
 * Conversation tokens: `<conversationId>.<signature>`. The id is 144 random bits, so it cannot be
 * guessed; the HMAC binds it to this server's secret, so a client cannot make up an id (or
 * borrow another visitor's) and have it accepted. No expiry is encoded: whether the
 * conversation's session is still alive is the tracker's rule, not the token's.
 */
export interface ConversationTokens {
  issue(): { token: string; conversationId: string };
  /** The conversation id the token carries, or undefined when it is malformed or forged. */
  verify(token: unknown): string | undefined;
}

const ID_PREFIX = 'w_';
const TOKEN_SHAPE = /^w_[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/;

export function conversationTokens(secret: string): ConversationTokens {
  const sign = (conversationId: string) =>
    hmac('sha256', secret, `botsession-web:${conversationId}`, 'base64url');
  return {
    issue() {
      const conversationId = ID_PREFIX + randomBytes(18).toString('base64url');
      return { conversationId, token: `${conversationId}.${sign(conversationId)}` };
    },
    verify(token) {
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return undefined;
      const dot = token.indexOf('.');
      const conversationId = token.slice(0, dot);
      // Compare the text, not decoded bytes: base64url's last character carries padding bits,
      // so decoding would accept several spellings of one signature.
      return safeEqual(token.slice(dot + 1), sign(conversationId)) ? conversationId : undefined;
    },
  };
}
