import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  endInterrupted,
  headerOf,
  type NodeHandler,
  parseJsonBody,
  readRawBody,
  sendJson,
  toReportingNodeHandler,
  trackOrUndefined,
  WebhookHttpError,
} from '@botsession/webhook';
import { directMessagesOf, refOf } from './map.js';
import { checkOptions, type TwitterWebhookOptions } from './options.js';
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
  const { tracker, consumerSecret, onMessage, bodyLimitBytes, onError } = checkOptions(options);
  const report = onError ?? ((error: unknown) => console.error('[@botsession/twitter]', error));

  async function work(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      // Not `new URL(req.url, base)`: it reads a path starting with `//` as a host, or throws.
      const query = (req.url ?? '').split('?')[1] ?? '';
      const token = new URLSearchParams(query).get('crc_token');
      sendJson(res, 200, crcResponse(consumerSecret, token));
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      throw new WebhookHttpError(405, `${req.method} is not allowed: X sends GET (CRC) and POST (events)`);
    }
    const raw = await readRawBody(req, bodyLimitBytes);
    verifyDelivery(consumerSecret, raw, headerOf(req.headers, 'x-twitter-webhooks-signature'));
    const messages = directMessagesOf(parseJsonBody(raw));

    const failures: unknown[] = [];
    for (const { direction, message } of messages) {
      const ref = refOf(message);
      const stamp = await trackOrUndefined(tracker, ref, direction, report);
      if (direction === 'outbound') continue; // the account's own message: counted, not handled
      try {
        await onMessage(message, stamp);
      } catch (error) {
        failures.push(error);
        await endInterrupted(tracker, ref, report);
      }
    }
    // X redelivers what is not answered 200: a failing bot must not get the same DMs again.
    res.writeHead(200);
    res.end();
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} onMessage calls failed`);
  }

  // After a 200, a failure of onMessage propagates: to onError, else Express's error chain.
  return toReportingNodeHandler(work, onError, report);
}
