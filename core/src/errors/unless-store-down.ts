import { StoreUnavailableError } from './store-unavailable-error.js';

/**
 * Waits for a tracker call and yields `undefined` instead of rejecting when the store is down,
 * so an outage never stops a bot: the tracker has already emitted `error` for it (once per
 * outage), and the message is answered without a stamp. Anything else (a closed tracker, a
 * bad ref) still rejects, as it is a bug and not an outage.
 *
 * Every connector tolerates outages this way; use it for your own calls in a handler.
 *
 * @example
 * const ended = await unlessStoreDown(tracker.handoff(ref)); // undefined during an outage
 */
export async function unlessStoreDown<T>(pending: Promise<T>): Promise<T | undefined> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof StoreUnavailableError) return undefined;
    throw error;
  }
}
