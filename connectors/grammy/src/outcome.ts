import { StoreUnavailableError } from '@botsession/core';

/**
 * A store outage never stops the bot: the tracker has already emitted `error` for it, so the
 * update goes on without a stamp. Anything else (a closed tracker, a bug) is not an outage and
 * propagates, so it reaches `bot.catch` like any other failure of the update.
 */
export async function unlessStoreDown<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof StoreUnavailableError) return undefined;
    throw error;
  }
}
