import { createHash } from 'node:crypto';
import { expect } from 'vitest';

const run = Math.random().toString(36).slice(2, 8);

/**
 * A key prefix per test: the conformance suite's trackers of one test share a store (the
 * racing test needs that), while each test's expiry workers see only that test's jobs.
 */
export function prefixForCurrentTest(label: string): string {
  const name = expect.getState().currentTestName ?? 'outside-a-test';
  return `${label}-${run}-${createHash('sha1').update(name).digest('hex').slice(0, 10)}`;
}
