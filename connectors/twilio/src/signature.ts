import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { headerOf, WebhookHttpError } from '@botsession/webhook';
import twilio from 'twilio';

/** The parameters Twilio signed: repeated keys keep every value, as Twilio's validator expects. */
export type SignedParams = Record<string, string | string[]>;

/** The public URL Twilio called: fixed, or computed per request (several routes, one middleware). */
export type WebhookUrl = string | ((req: IncomingMessage) => string);

/**
 * Twilio signs the URL it called plus the sorted form parameters, not the raw bytes
 * (https://www.twilio.com/docs/usage/security#validating-requests), so a body that a
 * framework already parsed can be verified as it is.
 */
export function paramsOfForm(raw: Buffer): SignedParams {
  // No prototype: a parameter named `__proto__` or `constructor` stays a plain parameter.
  const params: SignedParams = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    const seen = params[key];
    if (seen === undefined) params[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else params[key] = [seen, value];
  }
  return params;
}

/**
 * Refuses the request (403) unless `X-Twilio-Signature` matches the URL and parameters.
 * Twilio's own `validateRequest` does the comparison (and the port/no-port variants Twilio
 * is known to sign); it can throw on a URL it cannot parse, which is a refusal too.
 */
export function checkSignature(
  req: IncomingMessage,
  authToken: string,
  url: string,
  params: SignedParams,
): void {
  const signature = headerOf(req.headers, 'x-twilio-signature');
  if (signature === undefined || signature === '') {
    throw new WebhookHttpError(403, 'X-Twilio-Signature header is missing');
  }
  let valid = false;
  try {
    valid = twilio.validateRequest(authToken, signature, url, params);
  } catch {
    valid = false;
  }
  if (!valid) throw new WebhookHttpError(403, `X-Twilio-Signature does not match ${url}`);
}

/**
 * The URL Twilio called, rebuilt from the request when no `url` option is given: protocol
 * (Express's `req.protocol`, which honours `trust proxy`, else the socket's TLS), Host and
 * the original path with its query. Fragile behind proxies that rewrite Host or terminate
 * TLS: pass `url` there.
 */
export function urlOf(req: IncomingMessage, configured: WebhookUrl | undefined): string {
  if (typeof configured === 'string') return configured;
  if (typeof configured === 'function') return configured(req);
  const framework = req as IncomingMessage & { protocol?: unknown; originalUrl?: unknown };
  const protocol =
    typeof framework.protocol === 'string'
      ? framework.protocol
      : (req.socket as TLSSocket).encrypted
        ? 'https'
        : 'http';
  const path = typeof framework.originalUrl === 'string' ? framework.originalUrl : (req.url ?? '/');
  return `${protocol}://${headerOf(req.headers, 'host') ?? ''}${path}`;
}
