import { ConfigError, createSessionTracker } from '@botsession/core';
import {
  checkBodyLimitBytes,
  checkFunction,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
  DEFAULT_BODY_LIMIT_BYTES,
} from '@botsession/webhook';
import { describe, expect, it } from 'vitest';

/** The ConfigError a check throws, as [field, message]; undefined when it passes. */
function refusal(check: () => void): [string, string] | undefined {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [(error as ConfigError).field, (error as Error).message];
  }
  return undefined;
}

describe('checkOptionFields', () => {
  const FIELDS = ['tracker', 'basePath'];

  it('accepts an object of known fields, all or some of them', () => {
    expect(
      refusal(() => checkOptionFields('webChannel', { tracker: 1, basePath: '/x' }, FIELDS)),
    ).toBeUndefined();
    expect(refusal(() => checkOptionFields('webChannel', {}, FIELDS))).toBeUndefined();
  });

  it('refuses options that are not an object, naming the factory and the value', () => {
    expect(refusal(() => checkOptionFields('webChannel', undefined, FIELDS))).toEqual([
      'options',
      'webChannel options must be an object, got undefined',
    ]);
    expect(refusal(() => checkOptionFields('webChannel', null, FIELDS))?.[0]).toBe('options');
    expect(refusal(() => checkOptionFields('webChannel', 'secret', FIELDS))?.[1]).toMatch(/got secret$/);
  });

  it('refuses an unknown field (a typo) by its name, listing the known ones', () => {
    expect(refusal(() => checkOptionFields('helpCenter', { basepath: '/x' }, FIELDS))).toEqual([
      'basepath',
      'basepath is not a helpCenter option (expected one of tracker, basePath)',
    ]);
  });
});

describe('checkTracker', () => {
  it('accepts a session tracker', async () => {
    const tracker = createSessionTracker();
    expect(refusal(() => checkTracker(tracker))).toBeUndefined();
    await tracker.close();
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [{}, 'object'],
    [{ track: 'no' }, 'object'],
    ['tracker', 'string'],
  ])('refuses %o, naming the field tracker and the kind of value', (value, kind) => {
    expect(refusal(() => checkTracker(value))).toEqual([
      'tracker',
      `tracker must be a session tracker from createSessionTracker(), got ${kind}`,
    ]);
  });
});

describe('checkFunction and checkOptionalFunction', () => {
  it('accept functions; the optional one also accepts nothing', () => {
    expect(refusal(() => checkFunction('onMessage', () => 'hi'))).toBeUndefined();
    expect(refusal(() => checkOptionalFunction('onError', () => {}))).toBeUndefined();
    expect(refusal(() => checkOptionalFunction('onError', undefined))).toBeUndefined();
  });

  it('refuse anything else, naming the field and the type', () => {
    expect(refusal(() => checkFunction('onMessage', undefined))).toEqual([
      'onMessage',
      'onMessage must be a function, got undefined',
    ]);
    expect(refusal(() => checkOptionalFunction('userIdOf', 'x-user'))).toEqual([
      'userIdOf',
      'userIdOf must be a function, got string',
    ]);
    expect(refusal(() => checkOptionalFunction('onError', null))?.[0]).toBe('onError');
  });
});

describe('checkBodyLimitBytes', () => {
  it('defaults to 1 MiB and keeps a positive whole number', () => {
    expect(checkBodyLimitBytes(undefined)).toBe(DEFAULT_BODY_LIMIT_BYTES);
    expect(DEFAULT_BODY_LIMIT_BYTES).toBe(1024 * 1024);
    expect(checkBodyLimitBytes(4096)).toBe(4096);
  });

  it.each([[0], [-1], [1.5], [Number.NaN], [2 ** 60], ['4096']])(
    'refuses %o naming bodyLimitBytes',
    (value) => {
      expect(refusal(() => checkBodyLimitBytes(value))).toEqual([
        'bodyLimitBytes',
        `bodyLimitBytes must be a positive integer number of bytes, got ${String(value)}`,
      ]);
    },
  );
});
