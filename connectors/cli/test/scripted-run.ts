import type { ConversationRef, SessionTracker } from '@botsession/core';

/** What the scripted run did, to check the report is not vacuous. */
export interface ScriptTally {
  started: Record<string, number>;
  liveRefs: ConversationRef[];
  endedIds: string[];
}

/**
 * A clock-free run: every session that ends here ends by an explicit event (closed, handoff,
 * survey, interrupted, manual), so nothing waits on a timer; some sessions stay live.
 */
export async function scriptedRun(tracker: SessionTracker, tag: string): Promise<ScriptTally> {
  const started: Record<string, number> = {};
  const endedIds: string[] = [];
  const liveRefs: ConversationRef[] = [];
  const say = async (ref: ConversationRef, direction: 'inbound' | 'outbound') => {
    const stamp = await tracker.track(ref, { direction });
    if (stamp.isNew) started[ref.channel] = (started[ref.channel] ?? 0) + 1;
    return stamp;
  };
  const ended = (session: { id: string; status: string } | undefined) => {
    if (session?.status !== 'ended') throw new Error(`the scripted end did not end ${session?.id}`);
    endedIds.push(session.id);
  };

  // web: three visitors close the window after a few messages, one stays.
  for (let i = 0; i < 3; i++) {
    const ref = { channel: 'web', conversationId: `${tag}-web-${i}`, userId: `visitor-${i}` };
    await say(ref, 'inbound');
    for (let j = 0; j <= i; j++) await say(ref, 'outbound');
    ended(await tracker.end(ref, 'closed'));
  }
  const webLive = { channel: 'web', conversationId: `${tag}-web-live`, userId: 'visitor-live' };
  await say(webLive, 'inbound');
  await say(webLive, 'outbound');
  liveRefs.push(webLive);

  // telegram: one handoff, one survey answered with a score, one ended by an operator.
  const handoff = { channel: 'telegram', conversationId: `${tag}-tg-1`, userId: '1' };
  await say(handoff, 'inbound');
  await say(handoff, 'outbound');
  ended(await tracker.handoff(handoff));
  const survey = { channel: 'telegram', conversationId: `${tag}-tg-2`, userId: '2' };
  await say(survey, 'inbound');
  await say(survey, 'outbound');
  await tracker.surveySent(survey);
  await say(survey, 'inbound');
  ended(await tracker.surveyAnswered(survey, { score: 80 }));
  const manual = { channel: 'telegram', conversationId: `${tag}-tg-3`, userId: '3' };
  await say(manual, 'inbound');
  ended(await tracker.end(manual, 'manual'));

  // sms: an interruption, then the next message opens a new session that stays live.
  const sms = { channel: 'sms', conversationId: `${tag}-+15550002222:+15550009999`, userId: '+15550002222' };
  await say(sms, 'inbound');
  ended(await tracker.end(sms, 'interrupted'));
  await say(sms, 'inbound');
  await say(sms, 'outbound');
  liveRefs.push(sms);

  // slack: a proactive bot message, never answered (a session, not engaged).
  const slack = { channel: 'slack', conversationId: `${tag}-C024BE91L`, userId: 'U0G9QF9C6' };
  await say(slack, 'outbound');
  liveRefs.push(slack);

  return { started, liveRefs, endedIds };
}
