/**
 * One scripted run through the real tracker (memory backend, fake timers as the clock) on four
 * channels, with every way a session ends. `EXPECTED` is worked out from the script by hand.
 */
import type { SessionTracker } from '@botsession/core';
import { vi } from 'vitest';

export const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const SECOND = 1_000;

export async function scriptedRun(tracker: SessionTracker): Promise<void> {
  const c1 = { channel: 'web', conversationId: 'c1', userId: 'u1' };
  const c2 = { channel: 'web', conversationId: 'c2', userId: 'u2' };
  const c3 = { channel: 'web', conversationId: 'c3', userId: 'u3' };
  const t1 = { channel: 'telegram', conversationId: 't1', userId: 't1' };
  const t2 = { channel: 'telegram', conversationId: 't2', userId: 't2' };
  const w1 = { channel: 'whatsapp', conversationId: 'w1', userId: 'w1' };
  const s1 = { channel: 'sms', conversationId: 's1', userId: 's1' };

  // 10:00:00 — every conversation starts.
  await tracker.track(c1, { direction: 'inbound' });
  await tracker.track(c2, { direction: 'inbound' });
  await tracker.track(c3, { direction: 'inbound' });
  await tracker.track(t1, { direction: 'inbound' });
  await tracker.track(w1, { direction: 'inbound' });
  await tracker.track(c1, { direction: 'outbound' });
  await tracker.track(c2, { direction: 'outbound' });
  await tracker.track(t1, { direction: 'outbound' });
  await tracker.surveySent(t1);
  await tracker.track(w1, { direction: 'outbound' });
  await tracker.end(w1, 'interrupted'); // whatsapp: 0 s, 2 interactions
  await tracker.track(s1, { direction: 'outbound' }); // proactive: stays active

  await vi.advanceTimersByTimeAsync(20 * SECOND);
  await tracker.track(c1, { direction: 'inbound' });
  await tracker.track(t1, { direction: 'inbound' });
  await tracker.surveyAnswered(t1, { score: 80 }); // telegram: 20 s, 3 interactions

  await vi.advanceTimersByTimeAsync(10 * SECOND);
  await tracker.end(c1, 'closed'); // web: 30 s, 3 interactions
  await tracker.track(t2, { direction: 'inbound' }); // stays active

  await vi.advanceTimersByTimeAsync(90 * SECOND);
  await tracker.handoff(c2); // web: 120 s, 2 interactions

  await vi.advanceTimersByTimeAsync(180 * SECOND); // 10:05:00 — c3 ends by inactivity: 300 s, 1 interaction
}

/** The figures of the run, by hand. */
export const EXPECTED = {
  started: { web: 3, telegram: 2, whatsapp: 1, sms: 1 },
  ended: [
    ['web', 'closed', 1],
    ['web', 'handoff', 1],
    ['web', 'inactivity', 1],
    ['telegram', 'survey', 1],
    ['whatsapp', 'interrupted', 1],
  ] as const,
  interactions: [
    ['web', 'inbound', 4],
    ['web', 'outbound', 2],
    ['telegram', 'inbound', 3],
    ['telegram', 'outbound', 1],
    ['whatsapp', 'inbound', 1],
    ['whatsapp', 'outbound', 1],
    ['sms', 'inbound', 0],
    ['sms', 'outbound', 1],
  ] as const,
  active: { web: 0, telegram: 1, whatsapp: 0, sms: 1 },
  surveys: { telegram: { sent: 1, answered: 1 } },
  /** web sessions: 30 s (closed), 120 s (handoff), 300 s (inactivity). */
  webDurationSeconds: { sum: 450, count: 3, le30: 1, le120: 2, le300: 3, le60: 1 },
  /** web sessions: 3, 2 and 1 interactions. */
  webInteractions: { sum: 6, le1: 1, le2: 2, le3: 3 },
};
