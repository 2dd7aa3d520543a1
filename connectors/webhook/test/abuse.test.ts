import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '@botsession/core';
import {
  applyCors,
  checkAllowedOrigins,
  checkNewSessionLimit,
  newSessionAdmission,
  tokenBuckets,
  WebhookHttpError,
} from '@botsession/webhook';
import { describe, expect, it } from 'vitest';

describe('tokenBuckets', () => {
  it('lets a client open `burst` sessions at once, then `perMinute` a minute, with the wait in Retry-After', () => {
    let now = 0;
    const buckets = tokenBuckets({ perMinute: 6, burst: 2 }, () => now);
    expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 }); // 6 a minute: one per 10 s
    expect(buckets.take('b')).toEqual({ ok: true }); // another client has its own bucket
    now = 9_000;
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = 10_000;
    expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a').ok).toBe(false);
  });

  it('takes a refunded token again, and forgets full buckets (memory stays bounded)', () => {
    let now = 0;
    const buckets = tokenBuckets({ perMinute: 60, burst: 1 }, () => now, 3);
    expect(buckets.take('a').ok).toBe(true);
    buckets.refund('a');
    expect(buckets.size).toBe(0); // full again: nothing to remember
    expect(buckets.take('a').ok).toBe(true);
    for (const key of ['b', 'c', 'd', 'e']) buckets.take(key);
    expect(buckets.size).toBe(3); // the oldest client was dropped past maxClients
    now = 60_000;
    buckets.refund('e');
    expect(buckets.size).toBe(2);
  });
});

describe('newSessionAdmission', () => {
  const req = (ip: string) => ({ socket: { remoteAddress: ip }, headers: {} }) as unknown as IncomingMessage;

  it('admits by IP address by default and gives unused tokens back', () => {
    const admit = newSessionAdmission(
      checkNewSessionLimit({ perMinute: 1, burst: 1 }, { perMinute: 1, burst: 1 }),
    );
    const first = admit(req('10.0.0.1'));
    expect(first.startsSession).toBe(true);
    first.settle(false); // opened no session: the token comes back
    admit(req('10.0.0.1')).settle(true);
    const refused = admit(req('10.0.0.1'));
    expect(refused).toMatchObject({ startsSession: false, retryAfterSeconds: 60 });
    expect(admit(req('10.0.0.2')).startsSession).toBe(true);
  });

  it('admits everything when the limit is off, or when keyOf gives no key or throws', () => {
    expect(newSessionAdmission(undefined)(req('x')).startsSession).toBe(true);
    const limit = { perMinute: 1, burst: 1 };
    const throwing = newSessionAdmission({
      ...limit,
      keyOf: () => {
        throw new Error('no header');
      },
    });
    for (let i = 0; i < 3; i++) expect(throwing(req('x')).startsSession).toBe(true);
    const keyless = newSessionAdmission({ ...limit, keyOf: () => undefined });
    for (let i = 0; i < 3; i++) expect(keyless(req('x')).startsSession).toBe(true);
  });

  it('checks the option: false turns it off, defaults fill in, bad fields are named', () => {
    expect(checkNewSessionLimit(false, { perMinute: 1, burst: 1 })).toBeUndefined();
    expect(checkNewSessionLimit(undefined, { perMinute: 30, burst: 30 })).toMatchObject({
      perMinute: 30,
      burst: 30,
    });
    expect(checkNewSessionLimit({ perMinute: 12 }, { perMinute: 30, burst: 30 })).toMatchObject({
      perMinute: 12,
      burst: 12,
    });
    const fieldOf = (value: unknown) => {
      try {
        checkNewSessionLimit(value, { perMinute: 1, burst: 1 });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).field;
      }
      return undefined;
    };
    expect(fieldOf(10)).toBe('newSessionLimit');
    expect(fieldOf({ perMinute: 0 })).toBe('newSessionLimit.perMinute');
    expect(fieldOf({ perMinute: 1, burst: Number.NaN })).toBe('newSessionLimit.burst');
    expect(fieldOf({ perMinute: 1, keyOf: 'ip' })).toBe('newSessionLimit.keyOf');
    expect(fieldOf({ perMinute: 1, perHour: 1 })).toBe('newSessionLimit.perHour');
  });
});

describe('CORS', () => {
  function exchange(headers: Record<string, string>) {
    const set: Record<string, string> = {};
    const res = {
      setHeader: (name: string, value: string) => {
        set[name] = value;
      },
    } as unknown as ServerResponse;
    return { req: { headers } as IncomingMessage, res, set };
  }

  it('lets same-origin and Origin-less requests through without a header, and names allowed origins', () => {
    const allowed = checkAllowedOrigins('allowedOrigins', ['https://shop.example', 'http://localhost:8080/']);
    expect([...allowed]).toEqual(['https://shop.example', 'http://localhost:8080']);
    const same = exchange({ host: 'bot.example', origin: 'https://bot.example' });
    applyCors(same.req, same.res, allowed);
    expect(same.set).toEqual({});
    const none = exchange({ host: 'bot.example' });
    applyCors(none.req, none.res, allowed);
    expect(none.set).toEqual({});
    const shop = exchange({ host: 'bot.example', origin: 'https://shop.example' });
    applyCors(shop.req, shop.res, allowed);
    expect(shop.set).toEqual({ 'access-control-allow-origin': 'https://shop.example', vary: 'Origin' });
  });

  it('refuses any other origin with 403, before anything happens', () => {
    const other = exchange({ host: 'bot.example', origin: 'https://shop.example.evil' });
    expect(() => applyCors(other.req, other.res, new Set(['https://shop.example']))).toThrow(
      WebhookHttpError,
    );
    const opaque = exchange({ host: 'bot.example', origin: 'null' });
    expect(() => applyCors(opaque.req, opaque.res, new Set())).toThrow(/origin "null" is not allowed/);
  });

  it.each([['*'], ['shop.example'], ['https://shop.example/path'], [42]])(
    'refuses %o as an origin',
    (origin) => {
      expect(() => checkAllowedOrigins('allowedOrigins', [origin])).toThrow(ConfigError);
    },
  );
});
