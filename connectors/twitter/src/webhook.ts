import {
  type Exchange,
  endInterrupted,
  headerOf,
  httpLayer,
  type NodeHandler,
  parseJsonBody,
  queryOf,
  sendJson,
  trackOrUndefined,
  WebhookHttpError,
} from '@botsession/webhook';
import { directMessagesOf, refOf } from './map.js';
import { checkOptions, type TwitterErrorContext, type TwitterWebhookOptions } from './options.js';
import { crcResponse, verifyDelivery } from './signature.js';

/**
 * The X/Twitter Account Activity webhook as a plain Node `(req, res)` handler (mounts in
 * Express too): answers the CRC challenge (GET), verifies each delivery's signature (POST),
 * tracks every direct message in the `twitter` channel and calls `onMessage` for the users'.
 *
 * @example
 * const tracker = createSessionTracker();
 * const handler = twitterWebhook({
 *   tracker,
 *   consumerSecret: process.env.TWITTER_CONSUMER_SECRET!,
 *   onMessage: async (message, stamp) => reply(message.userId, `hi (session ${stamp?.sessionId})`),
 * });
 * http.createServer(handler).listen(3000);
 */
export function twitterWebhook(options: TwitterWebhookOptions): NodeHandler {
  const { tracker, consumerSecret, onMessage, ...httpOptions } = checkOptions(options);
  const http = httpLayer<TwitterErrorContext>({ connector: '@botsession/twitter', ...httpOptions });

  async function work(exchange: Exchange<TwitterErrorContext>): Promise<void> {
    const { req, res } = exchange;
    if (req.method === 'GET') {
      sendJson(res, 200, crcResponse(consumerSecret, queryOf(req).get('crc_token')));
      return;
    }
    if (req.method !== 'POST') {
      throw new WebhookHttpError(405, `${req.method} is not allowed: X sends GET (CRC) and POST (events)`, {
        allow: 'GET, POST',
      });
    }
    const signature = headerOf(req.headers, 'x-twitter-webhooks-signature');
    if (signature === undefined || signature === '')
      verifyDelivery(consumerSecret, Buffer.alloc(0), signature);
    // No media-type check: the signature proves the delivery genuine (see meta's webhook).
    const raw = await exchange.readBody();
    verifyDelivery(consumerSecret, raw, signature);
    const messages = directMessagesOf(parseJsonBody(raw));

    // A tracker failure other than an outage (a closed tracker) reaches the error policy.
    const report = (error: unknown) => exchange.fail(error);
    for (const { direction, message } of messages) {
      const ref = refOf(message);
      const stamp = await trackOrUndefined(tracker, ref, direction, report);
      if (direction === 'outbound') continue; // the account's own message: counted, not handled
      try {
        await onMessage(message, stamp);
      } catch (error) {
        await endInterrupted(tracker, ref, report);
        exchange.fail(error, { message });
      }
    }
    // X redelivers what is not answered 200: a failing bot must not get the same DMs again.
    // Failures of onMessage go to the error policy after the 200: onError, else Express's next.
    res.writeHead(200);
    res.end();
  }

  return http.handler(work);
}
