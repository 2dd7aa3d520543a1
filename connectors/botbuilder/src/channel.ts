import { ConfigError } from '@botsession/core';

/**
 * Bot Framework channel ids that carry one of botsession's built-in channels. Web Chat and
 * Direct Line are both the embeddable web chat; Twilio SMS arrives as `sms` or `twilio-sms`
 * depending on the Azure Bot channel registration. Any other id (msteams, emulator, …) is
 * passed through and, unless the tracker configures it, gets the `default` policy.
 * https://learn.microsoft.com/azure/bot-service/bot-service-channels-reference
 */
const BUILT_IN: Readonly<Record<string, string>> = {
  webchat: 'web',
  directline: 'web',
  facebook: 'facebook',
  telegram: 'telegram',
  slack: 'slack',
  sms: 'sms',
  'twilio-sms': 'sms',
};

/** Maps a Bot Framework `activity.channelId` to a botsession channel id. */
export type ChannelMap = Readonly<Record<string, string>>;

/** Built-in mapping with the user's overrides on top; validated once, at construction. */
export function channelMapOf(overrides: unknown): ChannelMap {
  if (overrides === undefined) return BUILT_IN;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new ConfigError(
      'channels',
      `channels must be a map from Bot Framework channelId to botsession channel id, got ${describe(overrides)}`,
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

export function channelOf(channelId: string, map: ChannelMap = BUILT_IN): string {
  return Object.hasOwn(map, channelId) ? (map[channelId] as string) : channelId;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
