import {
  headerOf,
  type NodeHandler,
  parseJsonBody,
  readRawBody,
  sendText,
  toNodeHandler,
  unlessStoreDown,
  WebhookHttpError,
} from '@botsession/webhook';
import { actionsOf, type MetaAction } from './map.js';
import { type CheckedOptions, checkOptions, type MetaWebhookOptions } from './options.js';
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
  return toNodeHandler(async (req, res) => {
    if (req.method === 'GET') {
      answerVerification(req, res, config.verifyToken);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      throw new WebhookHttpError(405, `method ${req.method} is not allowed (Meta sends GET and POST)`);
    }
    // The signature comes before anything else: without the header the body is not even read.
    const signature = headerOf(req.headers, SIGNATURE_HEADER);
    if (signature === undefined || signature === '') {
      req.resume();
      throw new WebhookHttpError(401, 'X-Hub-Signature-256 header is missing');
    }
    const raw = await readRawBody(req, config.bodyLimitBytes);
    checkSignature(raw, signature, config.appSecret);
    const actions = actionsOf(parseJsonBody(raw), config.appId);
    // In payload order: a batch can hold several messages of one conversation.
    for (const action of actions) await perform(config, action);
    sendText(res, 200, 'EVENT_RECEIVED');
  });
}

async function perform(config: CheckedOptions, action: MetaAction): Promise<void> {
  const { tracker } = config;
  switch (action.type) {
    case 'message': {
      const stamp = await trackMessage(tracker, action, logUnexpected);
      try {
        await config.onMessage(action.event, stamp);
      } catch (error) {
        // The bot's pipeline failed: the policy decides whether that ends the session. Meta
        // still gets its 200, since a non-200 makes it resend the whole batch.
        await endInterrupted(tracker, action, logUnexpected);
        tell(config, error, action);
      }
      return;
    }
    case 'echo':
      await trackEcho(tracker, action, logUnexpected);
      return;
    case 'handoff':
      await unlessStoreDown(() => tracker.handoff(action.ref), logUnexpected);
      return;
  }
}

function tell(config: CheckedOptions, error: unknown, action: MetaAction & { type: 'message' }): void {
  try {
    config.onError(error, action.event);
  } catch {
    // An onError that throws must not turn Meta's 200 into a 500 and a retry storm.
  }
}

/**
 * A tracker call that failed for another reason than a store outage (a closed tracker): not
 * the bot's error, so not `onError`'s, but never silent. Meta still gets its 200.
 */
function logUnexpected(error: unknown): void {
  console.error('[botsession/meta] a tracker call failed:', error);
}
