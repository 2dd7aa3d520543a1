import {
  type Exchange,
  httpLayer,
  type NodeHandler,
  parseJsonBody,
  queryOf,
  sendJson,
  WebhookHttpError,
} from '@botsession/webhook';
import { directMessagesOf } from './map.js';
import { checkOptions, type TwitterErrorContext, type TwitterWebhookOptions } from './options.js';
import { crcResponse, verifyDelivery } from './signature.js';
import { endInterrupted, trackDelivered } from './track.js';

/**
 * The X webhook (X Activity API `dm.received`/`dm.sent` events and Account Activity API
 * deliveries) as a plain Node `(req, res)` handler (mounts in Express too): answers the CRC
 * challenge (GET), verifies each delivery's signature (POST),
 * tracks every direct message in the `twitter` channel and calls `onMessage` for the users'.
 *
 * @example
 * const tracker = createSessionTracker();
 * const handler = twitterWebhook({
 *   tracker,
 *   clientSecret: process.env.X_CLIENT_SECRET!, // and/or consumerSecret (OAuth 1.0a)
 *   onMessage: async (message, stamp) => reply(message.userId, `hi (session ${stamp?.sessionId})`),
 * });
 * http.createServer(handler).listen(3000);
 */
export function twitterWebhook(options: TwitterWebhookOptions): NodeHandler {
  const { tracker, onMessage, bodyLimitBytes, readTimeoutMs, onError, ...secrets } = checkOptions(options);
  const http = httpLayer<TwitterErrorContext>({
    connector: '@botsession/twitter',
    bodyLimitBytes,
    readTimeoutMs,
    onError,
  });

  async function work(exchange: Exchange<TwitterErrorContext>): Promise<void> {
    const { req, res } = exchange;
    if (req.method === 'GET') {
      sendJson(res, 200, crcResponse(secrets, queryOf(req).get('crc_token')));
      return;
    }
    if (req.method !== 'POST') {
      throw new WebhookHttpError(405, `${req.method} is not allowed: X sends GET (CRC) and POST (events)`, {
        allow: 'GET, POST',
      });
    }
    // No signature header this app can check: 401 before the body is even read.
    try {
      verifyDelivery(secrets, Buffer.alloc(0), req.headers);
    } catch (error) {
      if (error instanceof WebhookHttpError && error.status === 401) throw error;
    }
    // No media-type check: the signature proves the delivery genuine (see meta's webhook).
    const raw = await exchange.readBody();
    verifyDelivery(secrets, raw, req.headers);
    const messages = directMessagesOf(parseJsonBody(raw));

    // A tracker failure other than an outage (a closed tracker) reaches the error policy.
    const report = (error: unknown) => exchange.fail(error);
    for (const delivered of messages) {
      const stamp = await trackDelivered(tracker, delivered, report);
      if (delivered.direction === 'outbound') continue; // the account's own message: counted, not handled
      try {
        await onMessage(delivered.message, stamp);
      } catch (error) {
        await endInterrupted(tracker, delivered, report);
        exchange.fail(error, { message: delivered.message });
      }
    }
    // X redelivers what is not answered 200: a failing bot must not get the same DMs again.
    // Failures of onMessage go to the error policy after the 200: onError, else Express's next.
    res.writeHead(200);
    res.end();
  }

  return http.handler(work);
}
