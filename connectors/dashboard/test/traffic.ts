/**
 * A real run on several channels through the tracker: sessions that end every way core knows
 * (handoff, closed, survey with a score, interrupted, manual) and sessions left active.
 */
import type { SessionTracker } from '@botsession/core';

export interface Conversation {
  channel: string;
  conversationId: string;
  userId: string;
}

const conversation = (channel: string, id: string): Conversation => ({
  channel,
  conversationId: `${channel}-${id}`,
  userId: `u-${id}`,
});

async function exchange(tracker: SessionTracker, ref: Conversation, turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) {
    const stamp = await tracker.track(ref, { direction: 'inbound' });
    await tracker.track(ref, { direction: 'outbound', inReplyTo: stamp.sessionId });
  }
}

/** Runs the traffic; `round` keeps conversation ids of several runs apart. */
export async function runTraffic(tracker: SessionTracker, round = 0): Promise<void> {
  const web = (i: number) => conversation('web', `${round}-${i}`);
  const tg = (i: number) => conversation('telegram', `${round}-${i}`);
  const wa = (i: number) => conversation('whatsapp', `${round}-${i}`);
  const slack = (i: number) => conversation('slack', `${round}-${i}`);

  for (let i = 0; i < 4; i++) await exchange(tracker, web(i), 1 + i);
  await tracker.end(web(0), 'closed');
  await tracker.end(web(1), 'closed');
  await tracker.handoff(web(2)); // web(3) stays active

  for (let i = 0; i < 3; i++) {
    await exchange(tracker, tg(i), 2);
    await tracker.surveySent(tg(i));
  }
  await tracker.surveyAnswered(tg(0), { score: 80 });
  await tracker.surveyAnswered(tg(1), { score: 40 }); // tg(2) never answers: active

  await exchange(tracker, wa(0), 3);
  await tracker.handoff(wa(0));
  await exchange(tracker, wa(1), 1);
  await tracker.end(wa(1), 'interrupted');

  await exchange(tracker, slack(0), 2);
  await tracker.end(slack(0), 'manual');
  await tracker.track(slack(1), { direction: 'outbound' }); // proactive, active
}
