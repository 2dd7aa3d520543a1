import { ConfigError } from '@botsession/core';

/**
 * Activity protocol channel ids that carry one of botsession's built-in channels. Teams is
 * `teams`; Web Chat and Direct Line are both the embeddable web chat; Twilio SMS arrives as
 * `sms` or `twilio-sms` depending on the Azure Bot channel registration. Any other id (email,
 * emulator, …) is passed through and, unless the tracker configures it, gets the `default` policy.
 * https://learn.microsoft.com/azure/bot-service/bot-service-channels-reference
 */
const BUILT_IN: Readonly<Record<string, string>> = {
  msteams: 'teams',
  webchat: 'web',
  directline: 'web',
  facebook: 'facebook',
  telegram: 'telegram',
  slack: 'slack',
  line: 'line',
  sms: 'sms',
  'twilio-sms': 'sms',
};

/** Maps an Activity `channelId` to a botsession channel id. */
export type ChannelMap = Readonly<Record<string, string>>;

/** Built-in mapping with the user's overrides on top; validated once, at construction. */
export function channelMapOf(overrides: unknown): ChannelMap {
  if (overrides === undefined) return BUILT_IN;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(
      'channels',
      `channels must be a map from Activity channelId to botsession channel id, got ${describe(overrides)}`,
    );
  }
  for (const [from, to] of Object.entries(overrides)) {
    if (typeof to !== 'string' || to === '') {
      throw new ConfigError(
        `channels.${from}`,
        `channels.${from} must be a non-empty botsession channel id, got ${describe(to)}`,
      );
    }
  }
  return { ...BUILT_IN, ...(overrides as Record<string, string>) };
}

/**
 * The botsession channel of an Activity `channelId`. A composite id (`msteams:COPILOT`, Microsoft
 * 365 Copilot inside Teams) is looked up whole first, then by its channel part, so it follows
 * Teams unless the map names it.
 */
export function channelOf(channelId: string, map: ChannelMap = BUILT_IN): string {
  if (Object.hasOwn(map, channelId)) return map[channelId] as string;
  const colon = channelId.indexOf(':');
  const base = colon === -1 ? channelId : channelId.slice(0, colon);
  return Object.hasOwn(map, base) ? (map[base] as string) : channelId;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
