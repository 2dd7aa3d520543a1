import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConversationRef } from '@botsession/core';
import type { webApi } from '@slack/bolt';
import { conversationIdOf } from './map.js';

/** The `metadata.event_type` of every message the bot posts while botSession handles a request. */
export const METADATA_EVENT_TYPE = 'botsession';

/** What the request being handled knows: how to count a message the bot posts during it. */
export interface RequestScope {
  /**
   * Counts one outbound message of `ref` and resolves to the session id to stamp on it: the
   * session it counted in, or, for a reply that core did not count because the session it
   * answers has ended, that ended session's id. Undefined when the store is down.
   */
  trackOutbound(ref: ConversationRef): Promise<string | undefined>;
  /** The Slack channel id (`slack` unless configured). */
  channel: string;
  /** The conversation of the incoming request, when it has one. */
  inbound: ConversationRef | undefined;
}

type PostMessage = webApi.WebClient['chat']['postMessage'];
type PostMessageArgs = Parameters<PostMessage>[0];

const scopes = new AsyncLocalStorage<RequestScope>();
const WRAPPED = Symbol.for('@botsession/slack.postMessage');

/** Runs the rest of Bolt's chain inside the request's scope. */
export function withinRequest<T>(scope: RequestScope, run: () => Promise<T>): Promise<T> {
  return scopes.run(scope, run);
}

/**
 * Makes `client.chat.postMessage` stamp and count messages posted while a botSession request is handled.
 *
 * Why not replace `say` and `client` in the middleware's args: Bolt gives each middleware a copy of the
 * args and gives listeners the pooled WebClient it closes over, with `say` built on that same client.
 * So the one place every reply passes through is this client's `chat.postMessage`. The wrapper is
 * installed once per client and reads the current request from AsyncLocalStorage: concurrent requests
 * never see each other's sessions, and a call outside any request (a cron job using `app.client`)
 * goes through untouched.
 */
export function stampPostMessage(client: webApi.WebClient): void {
  const chat = client.chat as webApi.WebClient['chat'] & { [WRAPPED]?: true };
  if (chat[WRAPPED] === true) return;
  const original: PostMessage = chat.postMessage;
  const stamped: PostMessage = async (args) => {
    const scope = scopes.getStore();
    const ref = scope === undefined ? undefined : outboundRef(scope, args);
    if (scope === undefined || ref === undefined) return original(args);
    const sessionId = await scope.trackOutbound(ref);
    // Slack keeps one metadata object per message: a caller's own metadata wins, the message still counts.
    if (sessionId === undefined || args.metadata !== undefined) return original(args);
    return original({
      ...args,
      metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { session_id: sessionId } },
    } as PostMessageArgs);
  };
  chat.postMessage = stamped;
  chat[WRAPPED] = true;
}

/** The conversation a posted message lands in: its channel, and its thread when `thread_ts` is set. */
function outboundRef(scope: RequestScope, args: PostMessageArgs): ConversationRef | undefined {
  const channelId = (args as { channel?: unknown }).channel;
  if (typeof channelId !== 'string' || channelId === '') return undefined;
  const threadTs = (args as { thread_ts?: unknown }).thread_ts;
  const conversationId = conversationIdOf(channelId, typeof threadTs === 'string' ? threadTs : undefined);
  const ref: ConversationRef = { channel: scope.channel, conversationId };
  // The user is known only for a reply into the conversation the user wrote in.
  if (scope.inbound?.conversationId === conversationId && scope.inbound.userId !== undefined) {
    ref.userId = scope.inbound.userId;
  }
  return ref;
}
