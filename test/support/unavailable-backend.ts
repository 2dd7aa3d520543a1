/**
 * A backend whose store is down: every call rejects with StoreUnavailableError, as the Redis
 * backend does when Redis cannot be reached. Connector tests use it to prove that a store
 * outage never stops the bot's handler. (The Redis backend's own outage is tested against a
 * real, stopped redis-server.)
 */
import { type Backend, StoreUnavailableError } from '@botsession/core';

export function unavailableBackend(): Backend {
  const down = () =>
    Promise.reject(new StoreUnavailableError('session store unavailable (test: store is down)'));
  return {
    attach() {},
    apply: down,
    get: down,
    ledger: down,
    activeCounts: down,
    async *liveSessions() {
      yield* [];
      await down();
    },
    async *endedSessions() {
      yield* [];
      await down();
    },
    async close() {},
  };
}
