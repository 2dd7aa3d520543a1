import {
  ConfigError,
  type ConversationRef,
  type EndReason,
  type SessionStamp,
  type SessionTracker,
  unlessStoreDown,
} from '@botsession/core';
import type { Activity, Middleware, ResourceResponse, TurnContext } from 'botbuilder';
import { inboundKind, outboundKind } from './activity-kind.js';
import { type ChannelMap, channelMapOf } from './channel.js';
import { REF_KEY, refOfActivity } from './map.js';

export interface BotSessionMiddlewareOptions {
  /**
   * Bot Framework `channelId` → botsession channel id, merged over the built-in map
   * (`webchat`/`directline` → `web`, `sms`/`twilio-sms` → `sms`, others as-is).
   * @example { msteams: 'teams', emulator: 'web' }
   */
  channels?: Record<string, string>;
}

/** Where the middleware keeps the turn's stamp; read it with `getSession(context)`. */
const TURN_KEY = Symbol.for('botsession.botbuilder.turn');

/** What one turn knows about its session. */
interface TurnSession {
  /** The stamp handlers read: the user's message, or the first bot message of a turn without one. */
  stamp?: SessionStamp;
  /**
   * The latest session id seen in the turn: put on every outgoing activity, and the session
   * the bot's messages answer (`inReplyTo`). Once that session ended inside the turn
   * (interrupted, closed, a handoff), core counts nothing more and opens nothing, and what the
   * bot still sends (the apology of an `onTurnError`) is stamped with the ended session's id.
   */
  sessionId?: string;
}

const OPTION_FIELDS = new Set(['channels']);

/**
 * Bot Framework middleware that stamps every turn and every outgoing activity with its session.
 *
 * @example
 * const tracker = createSessionTracker();
 * adapter.use(new BotSessionMiddleware(tracker, { channels: { msteams: 'teams' } }));
 * // in a handler:
 * getSession(context)?.sessionId;
 */
export class BotSessionMiddleware implements Middleware {
  private readonly tracker: SessionTracker;
  private readonly channels: ChannelMap;

  constructor(tracker: SessionTracker, options: BotSessionMiddlewareOptions = {}) {
    if (typeof tracker?.track !== 'function' || typeof tracker?.end !== 'function') {
      throw new ConfigError(
        'tracker',
        `tracker must be a SessionTracker (createSessionTracker()), got ${String(tracker)}`,
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError('options', `options must be an object, got ${String(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_FIELDS.has(key)) {
        throw new ConfigError(key, `${key} is not a BotSessionMiddleware option (expected channels)`);
      }
    }
    this.tracker = tracker;
    this.channels = channelMapOf(options.channels);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    const ref = refOfActivity(activity, this.channels);
    // No conversation id: nothing a session could belong to.
    if (ref === undefined) return next();

    const turn: TurnSession = {};
    context.turnState.set(REF_KEY, ref);
    context.turnState.set(TURN_KEY, turn);
    // Registered for every turn, so proactive turns (continueConversationAsync) count their messages too.
    context.onSendActivities((_ctx, activities, send) => this.onSend(ref, turn, activities, send));

    const kind = inboundKind(activity);
    // The activity id: a channel that resends an activity (Teams, Direct Line retrying a POST the
    // bot did not answer 2xx) resends the same id, so core counts it once.
    const deliveryId = typeof activity.id === 'string' && activity.id !== '' ? activity.id : undefined;
    if (kind === 'interaction') {
      const stamp = await unlessStoreDown(this.tracker.track(ref, { direction: 'inbound', deliveryId }));
      if (stamp !== undefined) {
        turn.stamp = stamp;
        turn.sessionId = stamp.sessionId;
      }
    } else if (kind === 'close') {
      // Not an interaction: the handler sees the session being closed, without counting.
      const session = await unlessStoreDown(this.tracker.get(ref));
      if (session !== undefined) {
        turn.stamp = { sessionId: session.id, isNew: false, redelivered: false, session };
        turn.sessionId = session.id;
      }
    }

    try {
      await next();
    } catch (error) {
      // The handler's error is the one the adapter (onTurnError) must see, so a failure to
      // record the end does not replace it; a store outage was already emitted by the tracker.
      await this.endTurn(
        ref,
        turn,
        kind === 'close' ? ['closed', 'interrupted'] : ['interrupted'],
        deliveryId,
      ).catch(() => undefined);
      throw error;
    }
    if (kind === 'close') await this.endTurn(ref, turn, ['closed'], deliveryId);
  }

  /**
   * Ends the session for the first reason the channel's policy accepts. Keyed by the activity:
   * when the channel resends it and the turn ends again, a session the user opened since is
   * left alone.
   */
  private async endTurn(
    ref: ConversationRef,
    turn: TurnSession,
    reasons: EndReason[],
    activityId: string | undefined,
  ): Promise<void> {
    for (const reason of reasons) {
      const options = activityId === undefined ? undefined : { deliveryId: activityId };
      const session = await unlessStoreDown(this.tracker.end(ref, reason, options));
      if (session?.status === 'ended') {
        turn.sessionId = session.id;
        return;
      }
    }
  }

  private async onSend(
    ref: ConversationRef,
    turn: TurnSession,
    activities: Array<Partial<Activity>>,
    send: () => Promise<ResourceResponse[]>,
  ): Promise<ResourceResponse[]> {
    let handoff = false;
    // In order: a reply that follows a handoff event in the same batch belongs after it.
    for (const activity of activities) {
      const kind = outboundKind(activity);
      if (kind === 'interaction') {
        // A turn with no session yet (a welcome, a proactive turn) opens one; otherwise core
        // decides whether the session this turn answers is still there to count the reply.
        const stamp = await unlessStoreDown(
          this.tracker.track(ref, { direction: 'outbound', inReplyTo: turn.sessionId }),
        );
        if (stamp !== undefined) {
          turn.stamp ??= stamp;
          turn.sessionId = stamp.sessionId;
        }
      } else if (kind === 'handoff') {
        handoff = true;
      }
      if (turn.sessionId !== undefined) {
        // A new object: the caller's channelData may be shared with other activities.
        activity.channelData = { ...(activity.channelData ?? {}), sessionId: turn.sessionId };
      }
    }
    const responses = await send();
    // Only once the handoff event went out has the conversation actually been handed over.
    if (handoff) await unlessStoreDown(this.tracker.handoff(ref));
    return responses;
  }
}

/**
 * The session stamp of the current turn, or `undefined` when the turn had none (a system
 * activity, or the session store was down).
 *
 * @example
 * const stamp = getSession(context);
 * if (stamp?.isNew) await context.sendActivity('Welcome!');
 */
export function getSession(context: TurnContext): SessionStamp | undefined {
  return (context.turnState.get(TURN_KEY) as TurnSession | undefined)?.stamp;
}
