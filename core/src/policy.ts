import { ConfigError } from './errors/config-error.js';
import type { ChannelPolicy, ChannelPolicyOverride, EndOn } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Chat channels: every explicit end applies. `close` fires only where a platform has one. */
const ALL_ENDS: EndOn = { close: true, handoff: true, survey: true, interruption: true };

function policy(inactivityTimeoutMs: number, redeliveryWindowMs: number): ChannelPolicy {
  return { inactivityTimeoutMs, surveyWindowMs: 24 * HOUR, endOn: { ...ALL_ENDS }, redeliveryWindowMs };
}

const DAY = 24 * HOUR;

/**
 * The rules of every known channel (see DESIGN.md §1). Unknown channel ids use `default`.
 * Frozen: copy and override through the tracker's `channels` option instead.
 */
export const DEFAULT_POLICIES: Readonly<Record<string, Readonly<ChannelPolicy>>> = deepFreeze({
  web: policy(5 * MINUTE, HOUR),
  'messaging-api': policy(5 * MINUTE, DAY),
  facebook: policy(24 * HOUR, DAY),
  whatsapp: policy(24 * HOUR, 7 * DAY),
  instagram: policy(24 * HOUR, DAY),
  telegram: policy(24 * HOUR, DAY),
  twitter: policy(24 * HOUR, HOUR),
  sms: policy(24 * HOUR, DAY),
  // RCS business messaging (Twilio `rcs:` addresses): SMS's successor, under SMS's rules.
  rcs: policy(24 * HOUR, DAY),
  slack: policy(24 * HOUR, HOUR),
  // Beyond the seed, chat apps like the above (windows and their reasons: docs/deliveries.md).
  // Teams documents no retry period: an hour, as Slack's. LINE's redelivery gives none: a day.
  teams: policy(24 * HOUR, HOUR),
  line: policy(24 * HOUR, DAY),
  help: policy(5 * MINUTE, HOUR),
  default: policy(5 * MINUTE, DAY),
});

const POLICY_FIELDS = new Set(['inactivityTimeoutMs', 'surveyWindowMs', 'endOn', 'redeliveryWindowMs']);
const END_ON_FIELDS = new Set(['close', 'handoff', 'survey', 'interruption']);
/** setTimeout and BullMQ delays are capped at 2^31 - 1 ms (~24.8 days). */
const MAX_DURATION_MS = 2 ** 31 - 1;

function checkDuration(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_DURATION_MS) {
    throw new ConfigError(
      field,
      `${field} must be a positive number of milliseconds up to ${MAX_DURATION_MS}, got ${describe(value)}`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges one channel's override over a base policy, field by field, validating as it goes. */
export function mergePolicy(base: ChannelPolicy, override: unknown, path: string): ChannelPolicy {
  if (!isPlainObject(override)) {
    throw new ConfigError(path, `${path} must be an object of policy fields, got ${describe(override)}`);
  }
  for (const key of Object.keys(override)) {
    if (!POLICY_FIELDS.has(key)) {
      throw new ConfigError(
        `${path}.${key}`,
        `${path}.${key} is not a policy field (expected one of ${[...POLICY_FIELDS].join(', ')})`,
      );
    }
  }
  const merged: ChannelPolicy = { ...base, endOn: { ...base.endOn } };
  if (override.inactivityTimeoutMs !== undefined) {
    merged.inactivityTimeoutMs = checkDuration(`${path}.inactivityTimeoutMs`, override.inactivityTimeoutMs);
  }
  if (override.surveyWindowMs !== undefined) {
    merged.surveyWindowMs = checkDuration(`${path}.surveyWindowMs`, override.surveyWindowMs);
  }
  if (override.redeliveryWindowMs !== undefined) {
    merged.redeliveryWindowMs = checkDuration(`${path}.redeliveryWindowMs`, override.redeliveryWindowMs);
  }
  if (override.endOn !== undefined) {
    if (!isPlainObject(override.endOn)) {
      throw new ConfigError(
        `${path}.endOn`,
        `${path}.endOn must be an object, got ${describe(override.endOn)}`,
      );
    }
    for (const [reason, value] of Object.entries(override.endOn)) {
      const field = `${path}.endOn.${reason}`;
      if (!END_ON_FIELDS.has(reason)) {
        throw new ConfigError(
          field,
          `${field} is not an end rule (expected one of ${[...END_ON_FIELDS].join(', ')})`,
        );
      }
      if (typeof value !== 'boolean') {
        throw new ConfigError(field, `${field} must be true or false, got ${describe(value)}`);
      }
      merged.endOn[reason as keyof EndOn] = value;
    }
  }
  return merged;
}

/** The resolved policies of a tracker: defaults with the user's overrides merged in. */
export class PolicySet {
  private readonly byChannel = new Map<string, ChannelPolicy>();
  private readonly fallback: ChannelPolicy;

  constructor(overrides: Record<string, ChannelPolicyOverride> | undefined) {
    if (overrides !== undefined && !isPlainObject(overrides)) {
      throw new ConfigError(
        'channels',
        `channels must be an object keyed by channel id, got ${describe(overrides)}`,
      );
    }
    const given = overrides ?? {};
    this.fallback = given.default
      ? mergePolicy(DEFAULT_POLICIES.default as ChannelPolicy, given.default, 'channels.default')
      : structuredClone(DEFAULT_POLICIES.default as ChannelPolicy);
    for (const [channel, base] of Object.entries(DEFAULT_POLICIES)) {
      if (channel === 'default') continue;
      const override = given[channel];
      this.byChannel.set(
        channel,
        override === undefined ? structuredClone(base) : mergePolicy(base, override, `channels.${channel}`),
      );
    }
    // A channel unknown to the defaults starts from the user's (possibly overridden) default.
    for (const [channel, override] of Object.entries(given)) {
      if (channel === 'default' || this.byChannel.has(channel)) continue;
      this.byChannel.set(channel, mergePolicy(this.fallback, override, `channels.${channel}`));
    }
  }

  /** The policy of a channel; unknown ids get the `default` policy. */
  of(channel: string): ChannelPolicy {
    return this.byChannel.get(channel) ?? this.fallback;
  }

  /** Every explicitly known channel with its policy, plus `default`. */
  entries(): Array<[string, ChannelPolicy]> {
    return [...this.byChannel.entries(), ['default', this.fallback]];
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
