/** A bad option given to a constructor; the message names the field and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
