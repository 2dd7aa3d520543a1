/** One botSession-equipped Bolt app per test, torn down after it. */
import { createSessionTracker, type SessionTracker, type SessionTrackerOptions } from '@botsession/core';
import { botSession, type SlackBotSessionOptions } from '@botsession/slack';
import { afterEach, beforeEach } from 'vitest';
import { createApp, type FakeSlackApi, startFakeSlackApi, type TestApp } from './support/slack.js';

export interface Harness {
  api: FakeSlackApi;
  /** A tracker and a Bolt App using `app.use(botSession(tracker))`; listeners are added before `start()`. */
  setup(options?: {
    tracker?: SessionTrackerOptions;
    middleware?: SlackBotSessionOptions;
    ignoreSelf?: boolean;
  }): TestApp & { tracker: SessionTracker };
}

export function useHarness(): Harness {
  const cleanups: Array<() => Promise<void>> = [];
  const harness = {} as Harness;
  beforeEach(async () => {
    harness.api = await startFakeSlackApi();
    cleanups.push(() => harness.api.close());
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  harness.setup = (options = {}) => {
    const tracker = createSessionTracker(options.tracker);
    cleanups.push(() => tracker.close());
    const test = createApp(harness.api, { ignoreSelf: options.ignoreSelf });
    cleanups.push(() => test.stop());
    test.app.use(botSession(tracker, options.middleware));
    return { ...test, tracker };
  };
  return harness;
}
