export type { ApplyInput, ApplyOutput, Backend, BackendHost } from './backend.js';
export { type MemoryBackendOptions, memoryBackend } from './backends/memory/index.js';
export { DELIVERIES_PER_CONVERSATION } from './deliveries.js';
export {
  ConfigError,
  HookError,
  LateAnswerError,
  SignatureError,
  StoreUnavailableError,
  TrackerClosedError,
  unlessStoreDown,
} from './errors/index.js';
export { DURATION_BUCKETS_MS, INTERACTION_BUCKETS } from './ledger.js';
export { DEFAULT_POLICIES } from './policy.js';
export type { Distribution, LedgerCell, ReportDimension, ReportQuery, ReportRow } from './report.js';
export { applyRules, endAllowed, type RuleResult, type SessionEvent } from './rules.js';
export {
  createSessionTracker,
  type EventOptions,
  type SessionTracker,
  type SessionTrackerOptions,
  type SurveyAnswerOptions,
  type TrackOptions,
} from './tracker.js';
export type {
  ChannelPolicy,
  ChannelPolicyOverride,
  ConversationRef,
  Direction,
  EndOn,
  EndReason,
  Session,
  SessionStamp,
  SessionStatus,
  TrackerEvents,
  UntrackedCall,
} from './types.js';
export { END_REASONS } from './types.js';
