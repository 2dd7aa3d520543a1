import type { SessionStamp } from '@botsession/core';
import {
  activeSessionStamp,
  headerOf,
  type NodeHandler,
  parseJsonBody,
  readRawBody,
  sendJson,
  toNodeHandler,
  unlessStoreDownOrReport,
  WebhookHttpError,
} from '@botsession/webhook';
import { validateSignature, type webhook } from '@line/bot-sdk';
import { findRef, isInteraction } from './map.js';
import { type CheckedOptions, checkOptions, type LineWebhookOptions } from './options.js';
import { eventsOf } from './payload.js';
import { rememberReplyToken } from './replies.js';

const SIGNATURE_HEADER = 'x-line-signature';

/**
 * The LINE webhook endpoint: checks `x-line-signature` with the SDK's `validateSignature`,
 * counts each message and postback, calls `onEvent` for every event with its session stamp,
 * and remembers reply tokens so `trackedClient(…).replyMessage` counts the reply in the right
 * conversation. A plain Node `(req, res)` handler that also mounts in Express (before any body
 * parser, or with the raw body kept: see the README).
 *
 * @example
 * const client = trackedClient(new messagingApi.MessagingApiClient({ channelAccessToken }), tracker);
 * http.createServer(lineWebhook({
 *   tracker, channelSecret: process.env.LINE_CHANNEL_SECRET!,
 *   onEvent: async (event, stamp) => {
 *     if (event.type === 'message') await client.replyMessage({ replyToken: event.replyToken!, messages: [{ type: 'text', text: `session ${stamp?.sessionId}` }] });
 *   },
 * })).listen(3000);
 *
 * @throws ConfigError when an option is missing, unknown or malformed.
 */
export function lineWebhook(options: LineWebhookOptions): NodeHandler {
  const config = checkOptions(options);
  return toNodeHandler(async (req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      throw new WebhookHttpError(405, `method ${req.method} is not allowed (LINE sends POST)`);
    }
    // The signature comes before anything else: without the header the body is not even read.
    const signature = headerOf(req.headers, SIGNATURE_HEADER);
    if (signature === undefined || signature === '') {
      req.resume();
      throw new WebhookHttpError(401, 'x-line-signature header is missing');
    }
    const raw = await readRawBody(req, config.bodyLimitBytes);
    if (!validateSignature(raw, config.channelSecret, signature)) {
      throw new WebhookHttpError(403, 'x-line-signature does not match the body signed with channelSecret');
    }
    // LINE's "Verify" button in the console posts `{ "destination": …, "events": [] }`: a 200, nothing counted.
    const events = eventsOf(parseJsonBody(raw));
    // In body order: a batch can hold several messages of one chat.
    for (const event of events) await handle(config, event);
    sendJson(res, 200, {});
  });
}

async function handle(config: CheckedOptions, event: webhook.Event): Promise<void> {
  const { tracker } = config;
  const ref = findRef(event, config.channel);
  let stamp: SessionStamp | undefined;
  if (ref !== undefined && isInteraction(event)) {
    // LINE's id of this event: a redelivery (webhook redelivery turned on) carries the same one.
    const deliveryId = event.webhookEventId;
    stamp = await unlessStoreDownOrReport(
      () => tracker.track(ref, { direction: 'inbound', deliveryId }),
      logUnexpected,
    );
  } else if (ref !== undefined && event.mode !== 'standby') {
    // Not an interaction: the handler still sees the session it happens in, without counting.
    stamp = await unlessStoreDownOrReport(() => activeSessionStamp(tracker, ref), logUnexpected);
  }
  const replyToken = (event as { replyToken?: unknown }).replyToken;
  if (ref !== undefined && typeof replyToken === 'string' && replyToken !== '') {
    rememberReplyToken(tracker, replyToken, { ref, inReplyTo: stamp?.sessionId });
  }
  try {
    await config.onEvent(event, stamp);
  } catch (error) {
    if (ref !== undefined) {
      // The bot's pipeline failed: the policy decides whether that ends the session. Keyed by the
      // event, so a redelivered event failing again cannot end a session a later message opened.
      const deliveryId = event.webhookEventId === undefined ? undefined : event.webhookEventId;
      await unlessStoreDownOrReport(() => tracker.end(ref, 'interrupted', { deliveryId }), logUnexpected);
    }
    // LINE still gets its 200: an error answer would make it redeliver the whole batch.
    tell(config, error, event);
  }
}

function tell(config: CheckedOptions, error: unknown, event: webhook.Event): void {
  try {
    config.onError(error, event);
  } catch {
    // An onError that throws must not turn LINE's 200 into a 500 and a redelivery.
  }
}

/** A tracker call that failed for another reason than a store outage (a closed tracker): never silent. */
function logUnexpected(error: unknown): void {
  console.error('[botsession/line] a tracker call failed:', error);
}
