import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256';

/** HMAC of `data` with `secret`, in the encoding the platform sends. */
export function hmac(
  algorithm: HmacAlgorithm,
  secret: string | Buffer,
  data: string | Buffer,
  encoding: 'hex' | 'base64' | 'base64url',
): string {
  return createHmac(algorithm, secret).update(data).digest(encoding);
}

/**
 * Compares a received signature with the expected one in constant time. Different lengths
 * are unequal without comparing (timingSafeEqual throws on them), which leaks only the
 * length, and the expected length is public anyway.
 */
export function safeEqual(received: string | undefined, expected: string): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The single value of a header (Node joins repeated ones into arrays for some names). */
export function headerOf(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
