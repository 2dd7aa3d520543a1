import type { ConversationRef } from '@botsession/core';
import { classify } from './map.js';
import { REF_KEY } from './middleware.js';

/** Anything a Bolt listener receives: its args, or just the request body. */
export type SlackRequestLike = { body?: unknown; context?: object } | object;

/**
 * The conversation of a Slack request, to call any tracker method from a handler.
 *
 * @example
 * app.action('talk_to_human', async (args) => {
 *   await args.ack();
 *   await tracker.handoff(refOf(args));
 * });
 */
export function refOf(request: SlackRequestLike): ConversationRef {
  const args = request as { body?: unknown; context?: Record<symbol, unknown> };
  // The middleware's ref knows the configured channel id; the mapping below assumes 'slack'.
  const known = args.context?.[REF_KEY] as ConversationRef | undefined;
  if (known !== undefined) return known;
  const body = 'body' in args ? args.body : request;
  const ref = classify(body, {}, 'slack').ref;
  if (ref === undefined) {
    throw new TypeError(
      'refOf: this Slack request belongs to no conversation (no channel id in body.event, body.channel or body.channel_id)',
    );
  }
  return ref;
}
