/**
 * A request the webhook refuses, with the status the platform should see. Every webhook
 * connector throws these and answers them through `sendError`, so a platform always gets
 * the same shape: the status and a one-line `{ "error": "..." }`.
 */
export class WebhookHttpError extends Error {
  override name = 'WebhookHttpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}
