/** Why a session ended. */
export type EndReason = 'inactivity' | 'closed' | 'handoff' | 'survey' | 'interrupted' | 'manual';

export const END_REASONS: readonly EndReason[] = [
  'inactivity',
  'closed',
  'handoff',
  'survey',
  'interrupted',
  'manual',
];

/** Who sent a message: the user (`inbound`) or the bot (`outbound`). */
export type Direction = 'inbound' | 'outbound';

/** Identifies one conversation on one channel. Connectors build it with `refOf(...)`. */
export interface ConversationRef {
  /** Channel id: `web`, `telegram`, `slack`, … Unknown ids use the `default` policy. */
  channel: string;
  /** The platform's conversation id (chat id, thread, phone pair, …). */
  conversationId: string;
  /** The user's id on that platform, when known. */
  userId?: string;
}

/** Which explicit events end a session on a channel. */
export interface EndOn {
  /** The user closed the chat (web X, Bot Framework `endOfConversation`). */
  close: boolean;
  /** The conversation was transferred to a human agent. */
  handoff: boolean;
  /** A satisfaction survey was answered within `surveyWindowMs` of being sent. */
  survey: boolean;
  /** The bot's pipeline failed; the user's next message starts a new session. */
  interruption: boolean;
}

/** The rules of one channel. Override any field per channel in `channels`. */
export interface ChannelPolicy {
  /** Inactivity that ends a session, counted from the user's last message. */
  inactivityTimeoutMs: number;
  /** A survey answered within this long after it was sent ends the session. */
  surveyWindowMs: number;
  endOn: EndOn;
  /**
   * How long a platform delivery id is remembered, so that a redelivery (a platform retrying
   * the same message) counts nothing. Defaults cover each platform's documented retry period.
   */
  redeliveryWindowMs: number;
}

/** A user override: any subset of a policy's fields. */
export interface ChannelPolicyOverride {
  inactivityTimeoutMs?: number;
  surveyWindowMs?: number;
  endOn?: Partial<EndOn>;
  redeliveryWindowMs?: number;
}

export type SessionStatus = 'active' | 'ended';

/** One session: all interactions of a conversation from its first message to its end. */
export interface Session {
  id: string;
  channel: string;
  conversationId: string;
  userId?: string;
  status: SessionStatus;
  /** Epoch milliseconds, like every time here. */
  startedAt: number;
  /** Undefined for a session a proactive bot message opened and the user has not answered. */
  lastUserMessageAt?: number;
  lastActivityAt: number;
  /** When inactivity ends the session unless the user writes again. */
  expiresAt: number;
  interactions: number;
  userMessages: number;
  botMessages: number;
  surveySentAt?: number;
  /** The score given with `surveyAnswered(ref, { score })`, when one was. */
  surveyScore?: number;
  /** The conversation's session before this one, when the store still remembers it. */
  previousSessionId?: string;
  /** When the rule says it ended: for inactivity, the deadline, not when a timer fired. */
  endedAt?: number;
  endReason?: EndReason;
}

/** What `track()` returns and connectors put on the platform's context. */
export interface SessionStamp {
  sessionId: string;
  /** True when this message started the session. */
  isNew: boolean;
  /**
   * True when this delivery id was seen before (a platform retry): nothing was counted,
   * nothing opened, and `sessionId` is the original delivery's session.
   */
  redelivered: boolean;
  session: Session;
}

/**
 * A message or event the store did not take because it was down: the call rejected with
 * `StoreUnavailableError`, so nothing of it was counted, now or later. `error` is emitted once
 * per outage; `untracked` once per call, so the gap in the counts can be read back.
 */
export interface UntrackedCall {
  ref: ConversationRef;
  /** `inbound` / `outbound` for a message; otherwise the event (`handoff`, `end`, …). */
  event: 'inbound' | 'outbound' | 'handoff' | 'surveySent' | 'surveyAnswered' | 'end';
  error: Error;
}

/** The event names a tracker emits. */
export interface TrackerEvents {
  sessionStart: (session: Session) => void | Promise<void>;
  sessionEnd: (session: Session) => void | Promise<void>;
  error: (error: Error) => void;
  /** A call the store did not take because it was down (see `UntrackedCall`). */
  untracked: (call: UntrackedCall) => void;
}
