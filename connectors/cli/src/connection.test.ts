import { expect, it } from 'vitest';
import { DEFAULT_REDIS_URL, targetOf } from './connection.js';

it('defaults to a local Redis', () => {
  expect(targetOf({})).toEqual({ kind: 'redis', url: DEFAULT_REDIS_URL, display: '127.0.0.1:6379' });
});

it('reads one server from --redis, and cluster startup nodes with credentials and TLS from --cluster', () => {
  expect(targetOf({ redis: 'redis://cache.internal:6380/2' })).toMatchObject({
    kind: 'redis',
    display: 'cache.internal:6380',
  });
  expect(targetOf({ cluster: 'rediss://bot:s%40cret@h1:7000, rediss://bot:s%40cret@h2:7001' })).toEqual({
    kind: 'cluster',
    nodes: [
      { host: 'h1', port: 7000 },
      { host: 'h2', port: 7001 },
    ],
    redisOptions: { username: 'bot', password: 's@cret', tls: {} },
    display: 'h1:7000,h2:7001',
  });
});

it('rejects bad URLs with the flag and the value', () => {
  expect(() => targetOf({ redis: 'localhost:6379' })).toThrow(
    '--redis must be a redis:// or rediss:// URL, got "localhost:6379"',
  );
  expect(() => targetOf({ redis: 'http://h:1' })).toThrow(
    '--redis must be a redis:// or rediss:// URL, got "http://h:1"',
  );
  expect(() => targetOf({ redis: 'redis://h:1/x' })).toThrow('--redis database must be a number');
  expect(() => targetOf({ cluster: ',' })).toThrow('--cluster must list one or more redis:// URLs');
  expect(() => targetOf({ cluster: 'redis://h:1/3' })).toThrow('--cluster URLs cannot name a database');
  expect(() => targetOf({ redis: 'redis://h:1', cluster: 'redis://h:2' })).toThrow(
    'give --redis or --cluster, not both',
  );
});
