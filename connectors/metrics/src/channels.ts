import { DEFAULT_POLICIES } from '@botsession/core';

/** The label every channel past the bound is counted under. */
export const OTHER_CHANNEL = 'other';

// Core's own channel ids come first, so a burst of custom channels never pushes them out.
export const KNOWN_CHANNELS: readonly string[] = Object.keys(DEFAULT_POLICIES).filter(
  (id) => id !== 'default',
);

/**
 * Maps every channel of the ledger to its label: core's channels, then the others in
 * alphabetical order, each its own label up to `maxChannels`; the rest are `other`.
 * A pure function of the ledger's channel set, so every process on one store labels alike.
 */
export function channelLabels(channels: Iterable<string>, maxChannels: number): Map<string, string> {
  const all = [...new Set(channels)];
  const known = KNOWN_CHANNELS.filter((id) => all.includes(id));
  const custom = all.filter((id) => !KNOWN_CHANNELS.includes(id)).sort();
  const labels = new Map<string, string>();
  for (const [rank, channel] of [...known, ...custom].entries()) {
    labels.set(channel, rank < maxChannels ? channel : OTHER_CHANNEL);
  }
  return labels;
}
