import { ConfigError } from '@botsession/core';
import { type RedisBackendOptions, redisBackend } from '@botsession/core/redis';
import { describe, expect, it } from 'vitest';

function configErrorOf(options: unknown): ConfigError {
  try {
    redisBackend(options as RedisBackendOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('redisBackend options', () => {
  it.each([
    [{}, 'connection', /connection must be a redis:\/\/ URL/],
    [{ connection: 'localhost:6379' }, 'connection', /"localhost:6379"/],
    [{ connection: 'redis://x', prefix: '{bs}' }, 'prefix', /without braces/],
    [{ connection: 'redis://x', queues: 0 }, 'queues', /queues must be a positive integer, got 0/],
    [{ connection: 'redis://x', worker: { concurrency: -1 } }, 'worker.concurrency', /got -1/],
    [{ connection: 'redis://x', worker: { lockMs: 5 } }, 'worker.lockMs', /not a worker option/],
    [{ connection: 'redis://x', commandTimeoutMs: '2s' }, 'commandTimeoutMs', /got "2s"/],
    [{ connection: 'redis://x', queue: 4 }, 'queue', /queue is not a redisBackend option/],
  ])('refuses %j at construction, naming %s', (options, field, message) => {
    const error = configErrorOf(options);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});
