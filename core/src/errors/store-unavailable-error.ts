/**
 * The session store could not be reached. `track()` rejects with it fast so that the bot
 * can answer without a stamp; connectors catch it and carry on.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
