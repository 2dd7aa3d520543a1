import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES } from './policy.js';
import { applyRules, type SessionEvent } from './rules.js';
import type { ChannelPolicy, Session } from './types.js';

const web = DEFAULT_POLICIES.web as ChannelPolicy;
const MIN = 60_000;
const ref = { channel: 'web', conversationId: 'c1', userId: 'u1' };
let ids = 0;
const newId = () => `s${++ids}`;
const inbound: SessionEvent = { type: 'message', direction: 'inbound' };
const outbound: SessionEvent = { type: 'message', direction: 'outbound' };

function open(at: number): Session {
  return applyRules(ref, undefined, web, inbound, at, newId).next!;
}

describe('applyRules', () => {
  it('opens a session on the first user message with the clock at that message', () => {
    const result = applyRules(ref, undefined, web, inbound, 1_000, newId);
    expect(result.started).toBe(result.next);
    expect(result.next).toMatchObject({
      status: 'active',
      startedAt: 1_000,
      lastUserMessageAt: 1_000,
      expiresAt: 1_000 + 5 * MIN,
      interactions: 1,
      userMessages: 1,
      botMessages: 0,
    });
  });

  it('ends a web session at 0:05 when the user wrote at 0:00 and the bot at 0:04', () => {
    const s0 = open(0);
    const s4 = applyRules(ref, s0, web, outbound, 4 * MIN, newId).next!;
    expect(s4.expiresAt).toBe(5 * MIN);
    const late = applyRules(ref, s4, web, inbound, 5 * MIN, newId);
    expect(late.ended).toMatchObject({ id: s0.id, endReason: 'inactivity', endedAt: 5 * MIN });
    expect(late.started?.id).not.toBe(s0.id);
  });

  it('moves the deadline with each user message only', () => {
    const s0 = open(0);
    const s3 = applyRules(ref, s0, web, inbound, 3 * MIN, newId).next!;
    expect(s3.expiresAt).toBe(8 * MIN);
    expect(s3.userMessages).toBe(2);
  });

  it('dates a late message’s predecessor to its deadline, not to the late message', () => {
    const s0 = open(0);
    const result = applyRules(ref, s0, web, inbound, 60 * MIN, newId);
    expect(result.ended?.endedAt).toBe(5 * MIN);
    expect(result.next?.startedAt).toBe(60 * MIN);
  });

  it('re-arms an expiry that fired before a moved deadline, and ends one that is due', () => {
    const s0 = open(0);
    const s2 = applyRules(ref, s0, web, inbound, 2 * MIN, newId).next!;
    const early = applyRules(ref, s2, web, { type: 'expire', sessionId: s0.id }, 5 * MIN, newId);
    expect(early).toMatchObject({ rescheduleAt: 7 * MIN, next: s2 });
    expect(early.ended).toBeUndefined();
    const due = applyRules(ref, s2, web, { type: 'expire', sessionId: s0.id }, 7 * MIN, newId);
    expect(due.next).toBeUndefined();
    expect(due.ended).toMatchObject({ endReason: 'inactivity', endedAt: 7 * MIN });
  });

  it('ignores an expiry for a session that is no longer the stored one', () => {
    const s0 = open(0);
    const result = applyRules(ref, s0, web, { type: 'expire', sessionId: 'other' }, MIN, newId);
    expect(result).toMatchObject({ next: s0 });
    expect(result.ended).toBeUndefined();
    expect(result.rescheduleAt).toBeUndefined();
  });

  it('ends on a survey answered within the window, not after it', () => {
    const policy: ChannelPolicy = { ...web, inactivityTimeoutMs: 48 * 60 * MIN };
    const s0 = applyRules(ref, undefined, policy, inbound, 0, newId).next!;
    const sent = applyRules(ref, s0, policy, { type: 'surveySent' }, MIN, newId).next!;
    const inTime = applyRules(ref, sent, policy, { type: 'surveyAnswered' }, MIN + 24 * 60 * MIN, newId);
    expect(inTime.ended?.endReason).toBe('survey');
    const tooLate = applyRules(ref, sent, policy, { type: 'surveyAnswered' }, MIN + 24 * 60 * MIN + 1, newId);
    expect(tooLate.ended).toBeUndefined();
    expect(tooLate.next).toBe(sent);
  });

  it('lets the policy switch each explicit end off', () => {
    const s0 = open(0);
    const off: ChannelPolicy = {
      ...web,
      endOn: { close: false, handoff: false, survey: false, interruption: false },
    };
    for (const event of [
      { type: 'handoff' },
      { type: 'end', reason: 'closed' },
      { type: 'end', reason: 'interrupted' },
    ] as SessionEvent[]) {
      expect(applyRules(ref, s0, off, event, MIN, newId).ended).toBeUndefined();
    }
    expect(applyRules(ref, s0, off, { type: 'end', reason: 'manual' }, MIN, newId).ended?.endReason).toBe(
      'manual',
    );
  });

  it('never opens a session for an explicit end or a survey without one', () => {
    for (const event of [
      { type: 'handoff' },
      { type: 'surveySent' },
      { type: 'surveyAnswered' },
    ] as SessionEvent[]) {
      const result = applyRules(ref, undefined, web, event, 0, newId);
      expect(result.next).toBeUndefined();
      expect(result.started).toBeUndefined();
    }
  });
});
