import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type NodeHandler,
  parseJsonBody,
  readRawBody,
  sendJson,
  toReportingNodeHandler,
  WebhookHttpError,
} from '@botsession/webhook';
import { directMessagesOf } from './map.js';
import { checkOptions, type TwitterWebhookOptions } from './options.js';
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
  const { tracker, onMessage, bodyLimitBytes, onError, ...secrets } = checkOptions(options);
  const report = onError ?? ((error: unknown) => console.error('[@botsession/twitter]', error));

  async function work(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      // Not `new URL(req.url, base)`: it reads a path starting with `//` as a host, or throws.
      const query = (req.url ?? '').split('?')[1] ?? '';
      const token = new URLSearchParams(query).get('crc_token');
      sendJson(res, 200, crcResponse(secrets, token));
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      throw new WebhookHttpError(405, `${req.method} is not allowed: X sends GET (CRC) and POST (events)`);
    }
    const raw = await readRawBody(req, bodyLimitBytes);
    verifyDelivery(secrets, raw, req.headers);
    const messages = directMessagesOf(parseJsonBody(raw));

    const failures: unknown[] = [];
    for (const delivered of messages) {
      const stamp = await trackDelivered(tracker, delivered, report);
      if (delivered.direction === 'outbound') continue; // the account's own message: counted, not handled
      try {
        await onMessage(delivered.message, stamp);
      } catch (error) {
        failures.push(error);
        await endInterrupted(tracker, delivered, report);
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
