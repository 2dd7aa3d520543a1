/**
 * The rule engine: the one place that decides when sessions start and end (DESIGN.md §1).
 * Pure: no I/O, no clock, no ids of its own. Every backend calls it (the Redis Lua script
 * mirrors it; the conformance suite keeps the two in step).
 */
import type { ChannelPolicy, ConversationRef, Direction, EndReason, Session } from './types.js';

/** Something that happened to a conversation. */
export type SessionEvent =
  /**
   * `inReplyTo`: the bot answers a message of that session. When that session is no longer
   * the active one (the handler handed off, or the answer came after the deadline), the
   * reply belongs to an ended session: it is not counted and opens no new session.
   * `startsSession: false`: counted only inside an active session, never opening one.
   */
  | { type: 'message'; direction: Direction; inReplyTo?: string; startsSession?: boolean }
  | { type: 'handoff' }
  | { type: 'surveySent' }
  /** `score`: the answer's score, kept on the session whether or not the answer ends it. */
  | { type: 'surveyAnswered'; score?: number }
  | { type: 'end'; reason: EndReason }
  /** A scheduler woke up for this session's deadline. */
  | { type: 'expire'; sessionId: string };

export interface RuleResult {
  /** What to store for the conversation afterwards; undefined = nothing active. */
  next: Session | undefined;
  /** The session the event acted on: the active one, or the one it just ended. */
  session: Session | undefined;
  /** Set when this event opened `next`. */
  started?: Session;
  /** Set when this event (or a deadline that had already passed) ended a session. */
  ended?: Session;
  /** Set when a deadline fired early because the user wrote since: wake again then. */
  rescheduleAt?: number;
}

/** Which policy switch lets an explicit end through; reasons without one always end. */
const GATE: Partial<Record<EndReason, keyof ChannelPolicy['endOn']>> = {
  closed: 'close',
  handoff: 'handoff',
  survey: 'survey',
  interrupted: 'interruption',
};

/** True when `policy` lets a session end for `reason`. */
export function endAllowed(policy: ChannelPolicy, reason: EndReason): boolean {
  const gate = GATE[reason];
  return gate === undefined || policy.endOn[gate];
}

function endSession(session: Session, reason: EndReason, endedAt: number): Session {
  return { ...session, status: 'ended', endedAt, endReason: reason };
}

function openSession(
  ref: ConversationRef,
  policy: ChannelPolicy,
  direction: Direction,
  now: number,
  id: string,
  previousSessionId: string | undefined,
): Session {
  const inbound = direction === 'inbound';
  return {
    id,
    channel: ref.channel,
    conversationId: ref.conversationId,
    userId: ref.userId,
    status: 'active',
    startedAt: now,
    // A proactive bot message opens a session whose clock starts at that message.
    lastUserMessageAt: inbound ? now : undefined,
    lastActivityAt: now,
    expiresAt: now + policy.inactivityTimeoutMs,
    interactions: 1,
    userMessages: inbound ? 1 : 0,
    botMessages: inbound ? 0 : 1,
    surveySentAt: undefined,
    surveyScore: undefined,
    previousSessionId,
    endedAt: undefined,
    endReason: undefined,
  };
}

/**
 * Applies one event to a conversation's stored session.
 * @param stored the conversation's active session as stored, possibly past its deadline
 * @param newId called only when a session starts
 * @param previousSessionId the conversation's last ended session, as the store remembers it
 */
export function applyRules(
  ref: ConversationRef,
  stored: Session | undefined,
  policy: ChannelPolicy,
  event: SessionEvent,
  now: number,
  newId: () => string,
  previousSessionId?: string,
): RuleResult {
  let ended: Session | undefined;
  let current = stored;
  // A deadline that passed ends the session at the deadline, whatever the event, even if
  // no timer has fired yet: a late message must start a new session.
  if (current !== undefined && now >= current.expiresAt) {
    ended = endSession(current, 'inactivity', current.expiresAt);
    current = undefined;
  }

  switch (event.type) {
    case 'message': {
      if (event.inReplyTo !== undefined && current?.id !== event.inReplyTo) {
        return { next: current, session: undefined, ended };
      }
      // A message that may not open a session (a help-center search) counts only inside one.
      if (current === undefined && event.startsSession === false) {
        return { next: undefined, session: undefined, ended };
      }
      if (current === undefined) {
        const previous = ended?.id ?? previousSessionId;
        const started = openSession(ref, policy, event.direction, now, newId(), previous);
        return { next: started, session: started, started, ended };
      }
      const inbound = event.direction === 'inbound';
      const next: Session = {
        ...current,
        userId: current.userId ?? ref.userId,
        lastActivityAt: now,
        interactions: current.interactions + 1,
        userMessages: current.userMessages + (inbound ? 1 : 0),
        botMessages: current.botMessages + (inbound ? 0 : 1),
      };
      // Only the user's messages move the deadline: a bot reply never keeps a session alive.
      if (inbound) {
        next.lastUserMessageAt = now;
        next.expiresAt = now + policy.inactivityTimeoutMs;
      }
      return { next, session: next, ended };
    }
    case 'surveySent': {
      if (current === undefined) return { next: undefined, session: undefined, ended };
      const next: Session = { ...current, surveySentAt: now };
      return { next, session: next, ended };
    }
    case 'surveyAnswered': {
      if (current === undefined) return { next: undefined, session: undefined, ended };
      const inWindow =
        current.surveySentAt !== undefined && now - current.surveySentAt <= policy.surveyWindowMs;
      const answered = event.score === undefined ? current : { ...current, surveyScore: event.score };
      // An answer after the window is an ordinary message: the session goes on.
      if (!inWindow || !policy.endOn.survey) {
        return { next: answered, session: answered, ended };
      }
      const survey = endSession(answered, 'survey', now);
      return { next: undefined, session: survey, ended: survey };
    }
    case 'handoff':
    case 'end': {
      const reason: EndReason = event.type === 'handoff' ? 'handoff' : event.reason;
      if (current === undefined || !endAllowed(policy, reason)) {
        return { next: current, session: current, ended };
      }
      const closed = endSession(current, reason, now);
      return { next: undefined, session: closed, ended: closed };
    }
    case 'expire': {
      // Deadlines are re-armed lazily: the scheduler wakes at the deadline it knew, and if
      // the user wrote since, the session is still open with a later deadline.
      if (current !== undefined && current.id === event.sessionId) {
        return { next: current, session: current, rescheduleAt: current.expiresAt, ended };
      }
      return { next: current, session: ended, ended };
    }
  }
}
