/** The statuses a refusal may carry: the client's fault (4xx) or a temporary refusal (503). */
export type RefusalStatus = 400 | 401 | 403 | 404 | 405 | 408 | 413 | 415 | 429 | 503;

/**
 * A request the webhook refuses, with the status the platform should see. Every webhook
 * connector throws these and answers them through `sendError`, so a platform always gets
 * the same shape: the status, any `headers` (`Allow`, `Retry-After`, `WWW-Authenticate`) and
 * a one-line `{ "error": "..." }`.
 */
export class WebhookHttpError extends Error {
  override name = 'WebhookHttpError';
  constructor(
    readonly status: RefusalStatus,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
