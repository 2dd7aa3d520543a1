import type { IncomingMessage } from 'node:http';
import { ConfigError } from '@botsession/core';
import { WebhookHttpError } from './http-error.js';

/**
 * The `newSessionLimit` option of web and help: how many new sessions one client may open.
 * A token bucket per client: `burst` sessions at once, then `perMinute` more each minute.
 */
export interface NewSessionLimit {
  /** Sessions a client may open per minute, on average. */
  perMinute: number;
  /** Sessions a client may open at once before the rate applies. Default: `perMinute`. */
  burst?: number;
  /**
   * The client a request comes from. Default: its IP address (`req.ip` when Express computed
   * one, which honours `trust proxy`; else the socket's address). Behind a proxy without
   * Express, read your proxy's header here, or every visitor shares the proxy's bucket.
   */
  keyOf?: (req: IncomingMessage) => string | undefined;
}

export interface CheckedNewSessionLimit {
  perMinute: number;
  burst: number;
  keyOf: (req: IncomingMessage) => string | undefined;
}

/** The client's IP address: Express's `req.ip` (proxy-aware) when there, else the socket's. */
export function clientAddressOf(req: IncomingMessage): string | undefined {
  const ip = (req as IncomingMessage & { ip?: unknown }).ip;
  return typeof ip === 'string' && ip !== '' ? ip : req.socket?.remoteAddress;
}

/**
 * Checks the `newSessionLimit` option: `false` turns the limit off, undefined takes `defaults`,
 * an object is checked field by field (ConfigError naming `newSessionLimit.perMinute`, …).
 */
export function checkNewSessionLimit(
  value: unknown,
  defaults: { perMinute: number; burst: number },
): CheckedNewSessionLimit | undefined {
  if (value === false) return undefined;
  if (value === undefined) return { ...defaults, keyOf: clientAddressOf };
  if (typeof value !== 'object' || value === null) {
    throw new ConfigError(
      'newSessionLimit',
      `newSessionLimit must be false or { perMinute, burst?, keyOf? }, got ${String(value)}`,
    );
  }
  const { perMinute, burst, keyOf, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw new ConfigError(
      `newSessionLimit.${unknown}`,
      `newSessionLimit.${unknown} is not a field of newSessionLimit (expected perMinute, burst, keyOf)`,
    );
  }
  const positive = (field: string, n: unknown): number => {
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
      throw new ConfigError(
        `newSessionLimit.${field}`,
        `newSessionLimit.${field} must be a positive number, got ${String(n)}`,
      );
    }
    return n;
  };
  const rate = positive('perMinute', perMinute);
  const size = burst === undefined ? Math.max(1, rate) : positive('burst', burst);
  if (keyOf !== undefined && typeof keyOf !== 'function') {
    throw new ConfigError(
      'newSessionLimit.keyOf',
      `newSessionLimit.keyOf must be a function, got ${typeof keyOf}`,
    );
  }
  return {
    perMinute: rate,
    burst: size,
    keyOf: (keyOf as CheckedNewSessionLimit['keyOf'] | undefined) ?? clientAddressOf,
  };
}

/** One client's bucket. */
interface Bucket {
  tokens: number;
  at: number;
}

export interface TokenBuckets {
  /** Takes one token for `key`: true when there was one, else false and the seconds until one. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** Gives a token back (the request it was taken for opened no session after all). */
  refund(key: string): void;
  /** Clients tracked now (full buckets are forgotten). */
  readonly size: number;
}

/**
 * Token buckets per client, in this process's memory. Per process on purpose: a limit is a
 * guard against one client flooding one server, not an exact quota, and a shared store would
 * put a round trip in front of every request. N processes behind a balancer allow up to N
 * times the rate. At most `maxClients` buckets are kept (the oldest dropped first), so a
 * flood of spoofed keys cannot grow memory without bound.
 */
export function tokenBuckets(
  limit: { perMinute: number; burst: number },
  now: () => number = Date.now,
  maxClients = 100_000,
): TokenBuckets {
  const perMs = limit.perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  const refill = (key: string): Bucket => {
    const t = now();
    const bucket = buckets.get(key);
    if (bucket === undefined) return { tokens: limit.burst, at: t };
    buckets.delete(key); // re-inserted below: Map order is then least recently used first
    return { tokens: Math.min(limit.burst, bucket.tokens + (t - bucket.at) * perMs), at: t };
  };
  const keep = (key: string, bucket: Bucket) => {
    if (bucket.tokens >= limit.burst) return; // a full bucket is the default: forget it
    buckets.set(key, bucket);
    if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
  };
  return {
    take(key) {
      const bucket = refill(key);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        keep(key, bucket);
        return { ok: true };
      }
      keep(key, bucket);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    refund(key) {
      const bucket = refill(key);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + 1);
      keep(key, bucket);
    },
    get size() {
      return buckets.size;
    },
  };
}

/** Whether one request may open a new session, decided before tracking it. */
export interface Admission {
  /** Pass as `startsSession`: false when the client is over its limit. */
  startsSession: boolean;
  /** Seconds until the client may open a session again (when `startsSession` is false). */
  retryAfterSeconds: number;
  /** Call with whether the request did open a session: a token not used is given back. */
  settle(opened: boolean): void;
}

/**
 * The new-session limit of web and help, per request. The client's token is taken up front
 * (so concurrent requests of one client cannot all pass) and given back when the message
 * opened no session. Over the limit, the message is tracked with `startsSession: false`:
 * it still counts inside the client's active session, atomically in core, and the connector
 * answers 429 with `Retry-After` only when it would have opened one.
 *
 * @example
 * const admit = newSessionAdmission(limit);
 * const admission = admit(req);
 * const { stamp, storeDown } = await trackTelling(tracker, ref, { direction: 'inbound', startsSession: admission.startsSession }, report);
 * admission.settle(stamp?.isNew === true);
 * if (!admission.startsSession && stamp === undefined && !storeDown) throw tooManySessions(admission);
 */
export function newSessionAdmission(
  limit: CheckedNewSessionLimit | undefined,
  now: () => number = Date.now,
): (req: IncomingMessage) => Admission {
  const open: Admission = { startsSession: true, retryAfterSeconds: 0, settle: () => {} };
  if (limit === undefined) return () => open;
  const buckets = tokenBuckets(limit, now);
  return (req) => {
    let key: string | undefined;
    try {
      key = limit.keyOf(req);
    } catch {
      key = undefined; // a keyOf that throws must not take the request down: no limit for it
    }
    if (key === undefined) return open;
    const taken = buckets.take(key);
    if (!taken.ok)
      return { startsSession: false, retryAfterSeconds: taken.retryAfterSeconds, settle: () => {} };
    return {
      startsSession: true,
      retryAfterSeconds: 0,
      settle: (opened) => {
        if (!opened) buckets.refund(key);
      },
    };
  };
}

/** The 429 a client over its new-session limit gets, with `Retry-After` in seconds. */
export function tooManySessions(admission: Admission): WebhookHttpError {
  return new WebhookHttpError(
    429,
    `too many new sessions from this client; retry in ${admission.retryAfterSeconds} s`,
    { 'retry-after': String(admission.retryAfterSeconds) },
  );
}
