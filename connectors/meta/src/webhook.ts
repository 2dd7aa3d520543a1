import {
  type Exchange,
  headerOf,
  httpLayer,
  type NodeHandler,
  parseJsonBody,
  sendText,
  unlessStoreDownOrReport,
  WebhookHttpError,
} from '@botsession/webhook';
import { actionsOf, type MetaAction } from './map.js';
import {
  type CheckedOptions,
  checkOptions,
  type MetaErrorContext,
  type MetaWebhookOptions,
} from './options.js';
import { endInterrupted, trackEcho, trackMessage } from './track.js';
import { answerVerification, checkSignature } from './verify.js';

const SIGNATURE_HEADER = 'x-hub-signature-256';

/**
 * One handler for Messenger, Instagram and WhatsApp Cloud API webhooks: answers Meta's GET
 * verification, checks the signature of every POST, tracks each interaction and calls
 * `onMessage` per user message with its session stamp. A plain Node `(req, res)` handler that
 * also mounts in Express.
 *
 * @example
 * const tracker = createSessionTracker();
 * const handler = metaWebhook({
 *   tracker, appSecret: process.env.META_APP_SECRET!, verifyToken: process.env.META_VERIFY_TOKEN!,
 *   onMessage: async (event, stamp) => console.log(event.channel, stamp?.sessionId),
 * });
 * http.createServer(handler).listen(3000);
 */
export function metaWebhook(options: MetaWebhookOptions): NodeHandler {
  const config = checkOptions(options);
  const http = httpLayer<MetaErrorContext>({ connector: '@botsession/meta', ...config });
  return http.handler(async (exchange) => {
    const { req, res } = exchange;
    if (req.method === 'GET') {
      answerVerification(req, res, config.verifyToken);
      return;
    }
    if (req.method !== 'POST') {
      throw new WebhookHttpError(405, `method ${req.method} is not allowed (Meta sends GET and POST)`, {
        allow: 'GET, POST',
      });
    }
    // The signature comes before anything else: without the header the body is not even read.
    const signature = headerOf(req.headers, SIGNATURE_HEADER);
    if (signature === undefined || signature === '') {
      throw new WebhookHttpError(401, 'X-Hub-Signature-256 header is missing');
    }
    // No media-type check: the signature is what proves a delivery genuine, and refusing a
    // signed one over a header would make Meta retry and then disable the webhook.
    const raw = await exchange.readBody();
    checkSignature(raw, signature, config.appSecret);
    const actions = actionsOf(parseJsonBody(raw), config.appId);
    // In payload order: a batch can hold several messages of one conversation.
    for (const action of actions) await perform(config, exchange, action);
    sendText(res, 200, 'EVENT_RECEIVED');
  });
}

async function perform(
  config: CheckedOptions,
  exchange: Exchange<MetaErrorContext>,
  action: MetaAction,
): Promise<void> {
  const { tracker } = config;
  // A tracker call that failed for another reason than a store outage (a closed tracker)
  // reaches the error policy once Meta has its 200.
  const report = (error: unknown) => exchange.fail(error);
  switch (action.type) {
    case 'message': {
      const stamp = await trackMessage(tracker, action, report);
      try {
        await config.onMessage(action.event, stamp);
      } catch (error) {
        // The bot's pipeline failed: the policy decides whether that ends the session. Meta
        // still gets its 200, since a non-200 makes it resend the whole batch.
        await endInterrupted(tracker, action, report);
        exchange.fail(error, { ...action.event, event: action.event });
      }
      return;
    }
    case 'echo':
      await trackEcho(tracker, action, report);
      return;
    case 'handoff':
      await unlessStoreDownOrReport(() => tracker.handoff(action.ref), report);
      return;
  }
}
