/**
 * The per-process observer: an end delivered twice (core delivers at least once across a crash
 * mid-hook) is observed once, with a bounded memory of ended session ids. Driven by the real
 * tracker's sessionEnd hooks; the duplicate is delivered by subscribing the observer's handler
 * to the same session twice, which is what a redelivery looks like from inside a process.
 */
import { createSessionTracker, type Session, type SessionTracker } from '@botsession/core';
import { afterEach, describe, expect, it } from 'vitest';
import { watchTracker } from '../src/process-events.js';

let tracker: SessionTracker;
afterEach(async () => {
  await tracker?.close();
});

/**
 * A real tracker whose sessionEnd handlers see every end twice (a redelivered end), and can be
 * handed an old end again later with `replay`.
 */
function redeliveringTracker(): SessionTracker & { replay(session: Session): void } {
  tracker = createSessionTracker();
  const on = tracker.on.bind(tracker);
  const handlers: Array<(session: Session) => void> = [];
  return {
    ...tracker,
    report: tracker.report.bind(tracker),
    on: ((event: 'sessionEnd' | 'error', handler: (value: never) => void) => {
      if (event !== 'sessionEnd') return on(event, handler as never);
      handlers.push(handler as (session: Session) => void);
      return on('sessionEnd', (session: Session) => {
        handler(session as never);
        handler(structuredClone(session) as never); // the same end, delivered again
      });
    }) as SessionTracker['on'],
    replay(session) {
      for (const handler of handlers) handler(structuredClone(session));
    },
  };
}

describe('watchTracker', () => {
  it('observes an end delivered twice once', async () => {
    const source = redeliveringTracker();
    const late: number[] = [];
    let clock = 0;
    watchTracker(
      source,
      { lateEnd: (s) => late.push(s), storeError() {}, hookError() {}, untracked() {} },
      {
        now: () => clock,
        rememberEnds: 100,
        maxChannels: 20,
      },
    );
    // An inactivity end, delivered 2.5 s after its deadline, twice.
    const ref = { channel: 'web', conversationId: 'a' };
    await tracker.track(ref, { direction: 'inbound' });
    clock = Date.now() + 2_500;
    await tracker.end(ref, 'inactivity');
    expect(late).toHaveLength(1);
  });

  it('forgets the oldest ids past rememberEnds (bounded memory)', async () => {
    const source = redeliveringTracker();
    const seen: string[] = [];
    const ends: Session[] = [];
    watchTracker(
      source,
      { lateEnd: () => seen.push('late'), storeError() {}, hookError() {}, untracked() {} },
      {
        now: () => Date.now(),
        rememberEnds: 2,
        maxChannels: 20,
      },
    );
    tracker.on('sessionEnd', (s) => {
      ends.push(s);
    });
    for (const id of ['a', 'b', 'c']) {
      const ref = { channel: 'web', conversationId: id };
      await tracker.track(ref, { direction: 'inbound' });
      await tracker.end(ref, 'inactivity');
    }
    expect(seen).toHaveLength(3); // each once despite the double delivery
    source.replay(ends[2]!); // c is among the 2 remembered: still once
    expect(seen).toHaveLength(3);
    source.replay(ends[0]!); // a was forgotten: a very late redelivery counts again
    expect(seen).toHaveLength(4);
  });
});
