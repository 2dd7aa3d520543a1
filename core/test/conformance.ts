/**
 * The conformance suite: every rule of DESIGN.md §1 and every guarantee, run against one
 * backend factory. The memory backend runs it with fake and with real timers; the Redis
 * backend (single server and Cluster) runs it unchanged with real timers.
 *
 * Time: in `fake` mode the policies are the real defaults (5 min, 24 h) and vitest's fake
 * timers move time. In `real` mode the same tests run with policies shortened to hundreds of
 * milliseconds and real waiting. Either way, a tracker's clock can also `skip` ahead without
 * any timer firing, to reach "after the deadline, before the timer fired" deterministically.
 */
import {
  type Backend,
  type ChannelPolicyOverride,
  type ConversationRef,
  createSessionTracker,
  type Session,
  type SessionTracker,
} from '@botsession/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

export interface ConformanceOptions {
  /** A fresh backend. Called once per tracker: twice in a test that races two trackers. */
  makeBackend: () => Backend | Promise<Backend>;
  clock: 'fake' | 'real';
  /** True when two backends from `makeBackend` share one store (e.g. the same Redis). */
  sharedStore?: boolean;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Timing {
  /** Inactivity of the `web` channel. */
  web: number;
  /** Inactivity of the `telegram` channel. */
  social: number;
  /** Survey window of every channel. */
  survey: number;
  /** Overrides that give the tracker these timings (none in fake mode: the defaults). */
  channels: Record<string, ChannelPolicyOverride>;
}

function timingFor(mode: 'fake' | 'real'): Timing {
  if (mode === 'fake') return { web: 5 * MINUTE, social: 24 * HOUR, survey: 24 * HOUR, channels: {} };
  // Real mode: short enough for a quick suite, long enough that a loaded CI machine
  // does not cross a deadline by accident between two steps of a test.
  const web = 900;
  const social = 2_400;
  const survey = 1_000;
  const shortened = { inactivityTimeoutMs: social, surveyWindowMs: survey };
  return {
    web,
    social,
    survey,
    channels: {
      web: { inactivityTimeoutMs: web, surveyWindowMs: survey },
      'messaging-api': { inactivityTimeoutMs: web, surveyWindowMs: survey },
      default: { inactivityTimeoutMs: web, surveyWindowMs: survey },
      telegram: shortened,
      whatsapp: shortened,
      sms: shortened,
    },
  };
}

interface Harness {
  tracker: SessionTracker;
  starts: Session[];
  ends: Session[];
  errors: Error[];
  /** Moves the tracker's clock ahead without letting any timer fire. */
  skip(ms: number): void;
  /** The tracker's clock. */
  now(): number;
}

export function runConformanceSuite(name: string, options: ConformanceOptions): void {
  const { clock } = options;
  const timing = timingFor(clock);
  const open: SessionTracker[] = [];
  let counter = 0;

  /** Lets time pass: fake timers advance; real mode sleeps. */
  async function wait(ms: number): Promise<void> {
    if (clock === 'fake') await vi.advanceTimersByTimeAsync(ms);
    else await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Waits until `check` passes: events from a queue-backed backend arrive asynchronously. */
  async function eventually(check: () => void): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (let attempt = 0; ; attempt++) {
      try {
        check();
        return;
      } catch (error) {
        if (clock === 'fake') {
          // Jump to the next timer; with none left, nothing more can happen.
          if (vi.getTimerCount() === 0 || attempt > 1_000) throw error;
          await vi.advanceTimersToNextTimerAsync();
        } else {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    }
  }

  /** Gives a late duplicate delivery the chance to show up before asserting "once". */
  async function settle(): Promise<void> {
    await wait(clock === 'fake' ? 1_000 : 400);
  }

  async function harness(channels: Record<string, ChannelPolicyOverride> = {}, backend?: Backend) {
    let offset = 0;
    const now = () => Date.now() + offset;
    const tracker = createSessionTracker({
      backend: backend ?? (await options.makeBackend()),
      channels: { ...timing.channels, ...channels },
      now,
    });
    open.push(tracker);
    const h: Harness = {
      tracker,
      starts: [],
      ends: [],
      errors: [],
      skip(ms) {
        offset += ms;
      },
      now,
    };
    tracker.on('sessionStart', (s) => {
      h.starts.push(s);
    });
    tracker.on('sessionEnd', (s) => {
      h.ends.push(s);
    });
    tracker.on('error', (e) => {
      h.errors.push(e);
    });
    return h;
  }

  /** A conversation no other test (or earlier run against the same store) uses. */
  function conversation(channel: string): ConversationRef {
    counter += 1;
    const unique = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
    return { channel, conversationId: `conv-${unique}`, userId: `user-${counter}` };
  }

  const inbound = { direction: 'inbound' } as const;
  const outbound = { direction: 'outbound' } as const;

  describe(`conformance: ${name} (${clock} timers)`, () => {
    beforeEach(() => {
      if (clock === 'fake') vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });

    afterEach(async () => {
      const trackers = open.splice(0);
      if (clock === 'fake') vi.useRealTimers();
      await Promise.all(trackers.map((t) => t.close()));
    });

    describe('sessions and interactions', () => {
      it("starts a session on a conversation's first user message and stamps it", async () => {
        const h = await harness();
        const ref = conversation('web');
        const stamp = await h.tracker.track(ref, inbound);
        expect(stamp.isNew).toBe(true);
        expect(stamp.sessionId).toMatch(UUID_V7);
        expect(stamp.session).toMatchObject({
          id: stamp.sessionId,
          channel: 'web',
          conversationId: ref.conversationId,
          userId: ref.userId,
          status: 'active',
          interactions: 1,
          userMessages: 1,
          botMessages: 0,
        });
        expect(stamp.session.expiresAt).toBe(stamp.session.lastUserMessageAt! + timing.web);
        await eventually(() => expect(h.starts.map((s) => s.id)).toEqual([stamp.sessionId]));
      });

      it('counts every message of the conversation, the user’s and the bot’s, in one session', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const first = await h.tracker.track(ref, inbound);
        const reply = await h.tracker.track(ref, outbound);
        const again = await h.tracker.track(ref, inbound);
        expect(reply.sessionId).toBe(first.sessionId);
        expect(again.sessionId).toBe(first.sessionId);
        expect([reply.isNew, again.isNew]).toEqual([false, false]);
        expect(again.session).toMatchObject({ interactions: 3, userMessages: 2, botMessages: 1 });
        await settle();
        expect(h.starts).toHaveLength(1);
      });

      it('keeps conversations and channels apart', async () => {
        const h = await harness();
        const a = conversation('telegram');
        const b = conversation('telegram');
        const sameIdOtherChannel = { ...a, channel: 'whatsapp' };
        const ids = [
          (await h.tracker.track(a, inbound)).sessionId,
          (await h.tracker.track(b, inbound)).sessionId,
          (await h.tracker.track(sameIdOtherChannel, inbound)).sessionId,
        ];
        expect(new Set(ids).size).toBe(3);
      });

      it('gives racing first messages of one conversation one session id', async () => {
        const h = await harness();
        const ref = conversation('web');
        const stamps = await Promise.all(Array.from({ length: 25 }, () => h.tracker.track(ref, inbound)));
        expect(new Set(stamps.map((s) => s.sessionId)).size).toBe(1);
        expect(stamps.filter((s) => s.isNew)).toHaveLength(1);
        await settle();
        expect(h.starts).toHaveLength(1);
      });

      if (options.sharedStore) {
        it('gives racing first messages in two trackers on one store one session id', async () => {
          const one = await harness();
          const two = await harness();
          const ref = conversation('web');
          const stamps = await Promise.all(
            Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).tracker.track(ref, inbound)),
          );
          expect(new Set(stamps.map((s) => s.sessionId)).size).toBe(1);
          expect(stamps.filter((s) => s.isNew)).toHaveLength(1);
        });
      }

      it('counts a reply to the active session like any bot message', async () => {
        const h = await harness();
        const ref = conversation('web');
        const question = await h.tracker.track(ref, inbound);
        const reply = await h.tracker.track(ref, { direction: 'outbound', inReplyTo: question.sessionId });
        expect(reply).toMatchObject({ sessionId: question.sessionId, isNew: false });
        expect(reply?.session).toMatchObject({ interactions: 2, botMessages: 1 });
      });

      it('does not count a reply to a session that has ended, and opens no new one', async () => {
        const h = await harness();
        const ref = conversation('whatsapp');
        const question = await h.tracker.track(ref, inbound);
        await h.tracker.handoff(ref);
        const goodbye = await h.tracker.track(ref, { direction: 'outbound', inReplyTo: question.sessionId });
        expect(goodbye).toBeUndefined();
        expect(await h.tracker.get(ref)).toBeUndefined();
        // Past the deadline, even before any timer fired, a late reply counts nowhere either.
        const next = await h.tracker.track(ref, inbound);
        h.skip(timing.social + 1);
        expect(
          await h.tracker.track(ref, { direction: 'outbound', inReplyTo: next.sessionId }),
        ).toBeUndefined();
        await settle();
        expect(h.starts.map((s) => s.id)).toEqual([question.sessionId, next.sessionId]);
      });

      it('counts a message that may not open a session only inside an active one', async () => {
        const h = await harness();
        const ref = conversation('help');
        const search = { direction: 'inbound', startsSession: false } as const;
        expect(await h.tracker.track(ref, search)).toBeUndefined();
        expect(await h.tracker.get(ref)).toBeUndefined();
        const opened = await h.tracker.track(ref, inbound);
        const counted = await h.tracker.track(ref, search);
        expect(counted).toMatchObject({ sessionId: opened.sessionId, isNew: false });
        expect(counted?.session).toMatchObject({ interactions: 2, userMessages: 2 });
        await settle();
        expect(h.starts).toHaveLength(1);
      });

      it('returns the active session from get(), and nothing once it ended', async () => {
        const h = await harness();
        const ref = conversation('web');
        expect(await h.tracker.get(ref)).toBeUndefined();
        const { sessionId } = await h.tracker.track(ref, inbound);
        expect((await h.tracker.get(ref))?.id).toBe(sessionId);
        await h.tracker.end(ref, 'manual');
        expect(await h.tracker.get(ref)).toBeUndefined();
      });
    });

    describe('inactivity, counted from the user’s last message', () => {
      it('ends a web session its timeout after the user’s last message, not the bot’s', async () => {
        const h = await harness();
        const ref = conversation('web');
        const { session } = await h.tracker.track(ref, inbound);
        // The tracker's clock moves, not the wall's: a loaded machine cannot cross the
        // deadline between two steps by accident. The end still comes from the scheduler.
        h.skip(timing.web * 0.4);
        await h.tracker.track(ref, outbound);
        h.skip(timing.web * 0.3);
        expect((await h.tracker.get(ref))?.id).toBe(session.id);
        await wait(timing.web * 0.3);
        await eventually(() => expect(h.ends).toHaveLength(1));
        expect(h.ends[0]).toMatchObject({
          id: session.id,
          status: 'ended',
          endReason: 'inactivity',
          endedAt: session.lastUserMessageAt! + timing.web,
          botMessages: 1,
        });
      });

      it('moves the deadline with every user message', async () => {
        const h = await harness();
        const ref = conversation('web');
        const first = await h.tracker.track(ref, inbound);
        h.skip(timing.web * 0.5);
        const second = await h.tracker.track(ref, inbound);
        h.skip(timing.web * 0.6);
        expect((await h.tracker.get(ref))?.id).toBe(first.sessionId);
        await eventually(() => expect(h.ends).toHaveLength(1));
        expect(h.ends[0]!.endedAt).toBe(second.session.lastUserMessageAt! + timing.web);
      });

      it('lets 24 h pass on a social channel before ending', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const { session } = await h.tracker.track(ref, inbound);
        expect(session.expiresAt - session.startedAt).toBe(timing.social);
        h.skip(timing.web * 1.2);
        expect((await h.tracker.get(ref))?.id).toBe(session.id);
        await wait(timing.social - timing.web * 1.2);
        await eventually(() => expect(h.ends.map((s) => s.endReason)).toEqual(['inactivity']));
        expect(h.ends[0]!.endedAt).toBe(session.expiresAt);
      });

      it('opens a session on a proactive bot message, its clock starting at that message', async () => {
        const h = await harness();
        const ref = conversation('web');
        const stamp = await h.tracker.track(ref, outbound);
        expect(stamp.isNew).toBe(true);
        expect(stamp.session.lastUserMessageAt).toBeUndefined();
        expect(stamp.session.expiresAt).toBe(stamp.session.startedAt + timing.web);
        await eventually(() => expect(h.ends).toHaveLength(1));
        expect(h.ends[0]).toMatchObject({ id: stamp.sessionId, endedAt: stamp.session.expiresAt });
      });

      it('starts a new session for a message after the deadline, and dates the old end to its deadline', async () => {
        const h = await harness();
        const ref = conversation('web');
        const old = await h.tracker.track(ref, inbound);
        // Past the deadline on the tracker's clock, before any timer could fire.
        h.skip(timing.web + 1);
        const late = await h.tracker.track(ref, inbound);
        expect(late.isNew).toBe(true);
        expect(late.sessionId).not.toBe(old.sessionId);
        expect(late.session.userId).toBe(ref.userId);
        await eventually(() => expect(h.ends.map((s) => s.id)).toContain(old.sessionId));
        expect(h.ends.find((s) => s.id === old.sessionId)).toMatchObject({
          endReason: 'inactivity',
          endedAt: old.session.expiresAt,
        });
        await eventually(() => expect(h.starts.map((s) => s.id)).toEqual([old.sessionId, late.sessionId]));
      });

      it('treats a session past its deadline as gone in get(), even before the timer fired', async () => {
        const h = await harness();
        const ref = conversation('web');
        await h.tracker.track(ref, inbound);
        h.skip(timing.web);
        expect(await h.tracker.get(ref)).toBeUndefined();
      });

      it('ends every session that starts, once', async () => {
        const h = await harness();
        const refs = Array.from({ length: 30 }, () => conversation('web'));
        const stamps = await Promise.all(refs.map((ref) => h.tracker.track(ref, inbound)));
        await wait(timing.web);
        await eventually(() => expect(h.ends).toHaveLength(refs.length));
        await settle();
        expect(h.ends.map((s) => s.id).sort()).toEqual(stamps.map((s) => s.sessionId).sort());
      });
    });

    describe('explicit ends', () => {
      it('ends the session on handoff to a human, and the next message starts a new one', async () => {
        const h = await harness();
        const ref = conversation('whatsapp');
        const first = await h.tracker.track(ref, inbound);
        const before = h.now();
        const ended = await h.tracker.handoff(ref);
        expect(ended).toMatchObject({ id: first.sessionId, status: 'ended', endReason: 'handoff' });
        // Dated to the handoff call: a remote store answers a few ms later.
        expect(ended!.endedAt).toBeGreaterThanOrEqual(before);
        expect(ended!.endedAt).toBeLessThanOrEqual(h.now());
        await eventually(() => expect(h.ends.map((s) => s.endReason)).toEqual(['handoff']));
        const next = await h.tracker.track(ref, inbound);
        expect(next.isNew).toBe(true);
        expect(next.sessionId).not.toBe(first.sessionId);
      });

      it('ends the session when a survey is answered within its window', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const { sessionId } = await h.tracker.track(ref, inbound);
        await h.tracker.track(ref, outbound);
        const before = h.now();
        const sent = await h.tracker.surveySent(ref);
        expect(sent?.surveySentAt).toBeGreaterThanOrEqual(before);
        expect(sent?.surveySentAt).toBeLessThanOrEqual(h.now());
        h.skip(timing.survey * 0.3);
        const answered = await h.tracker.surveyAnswered(ref);
        expect(answered).toMatchObject({ id: sessionId, endReason: 'survey' });
        await eventually(() => expect(h.ends.map((s) => s.endReason)).toEqual(['survey']));
      });

      it('treats a survey answer after the window as an ordinary message', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const { sessionId } = await h.tracker.track(ref, inbound);
        await h.tracker.surveySent(ref);
        h.skip(timing.survey / 2);
        await h.tracker.track(ref, inbound); // keeps the session alive past the window
        h.skip(timing.survey / 2 + 1);
        const answered = await h.tracker.surveyAnswered(ref);
        expect(answered).toMatchObject({ id: sessionId, status: 'active' });
        expect((await h.tracker.get(ref))?.id).toBe(sessionId);
        await settle();
        expect(h.ends.filter((s) => s.id === sessionId && s.endReason === 'survey')).toHaveLength(0);
      });

      it('does not end on a survey answer when no survey was sent', async () => {
        const h = await harness();
        const ref = conversation('web');
        const { sessionId } = await h.tracker.track(ref, inbound);
        expect(await h.tracker.surveyAnswered(ref)).toMatchObject({ id: sessionId, status: 'active' });
      });

      it('ends the session when the user closes the web chat (X)', async () => {
        const h = await harness();
        const ref = conversation('web');
        const { sessionId } = await h.tracker.track(ref, inbound);
        expect(await h.tracker.end(ref, 'closed')).toMatchObject({ id: sessionId, endReason: 'closed' });
        await eventually(() => expect(h.ends.map((s) => s.endReason)).toEqual(['closed']));
      });

      it('ends the session on an interruption, and the same user’s next message starts a new one', async () => {
        const h = await harness();
        const ref = conversation('sms');
        const first = await h.tracker.track(ref, inbound);
        await h.tracker.end(ref, 'interrupted');
        const next = await h.tracker.track(ref, inbound);
        expect(next).toMatchObject({ isNew: true });
        expect(next.sessionId).not.toBe(first.sessionId);
        expect(next.session.userId).toBe(ref.userId);
        await eventually(() => expect(h.ends.map((s) => s.endReason)).toEqual(['interrupted']));
      });

      it('keeps the session when the channel’s policy turns an end off', async () => {
        const h = await harness({
          web: { endOn: { handoff: false, close: false, interruption: false, survey: false } },
        });
        const ref = conversation('web');
        const { sessionId } = await h.tracker.track(ref, inbound);
        await h.tracker.handoff(ref);
        await h.tracker.end(ref, 'closed');
        await h.tracker.end(ref, 'interrupted');
        await h.tracker.surveySent(ref);
        await h.tracker.surveyAnswered(ref);
        expect((await h.tracker.get(ref))?.id).toBe(sessionId);
        // A manual end is always allowed.
        await h.tracker.end(ref, 'manual');
        expect(await h.tracker.get(ref)).toBeUndefined();
      });

      it('does nothing for an explicit end when no session is active', async () => {
        const h = await harness();
        const ref = conversation('web');
        expect(await h.tracker.handoff(ref)).toBeUndefined();
        expect(await h.tracker.end(ref, 'closed')).toBeUndefined();
        await settle();
        expect(h.ends).toHaveLength(0);
      });

      it('delivers an ended session once, even when its deadline passes afterwards', async () => {
        const h = await harness();
        const ref = conversation('web');
        const { sessionId } = await h.tracker.track(ref, inbound);
        await h.tracker.handoff(ref);
        await wait(timing.web * 1.2);
        await settle();
        expect(h.ends.map((s) => [s.id, s.endReason])).toEqual([[sessionId, 'handoff']]);
      });
    });

    describe('platform redeliveries (delivery ids)', () => {
      it('counts a redelivered message once and answers with the original stamp', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const first = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'update-1' });
        const again = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'update-1' });
        expect(first.redelivered).toBe(false);
        expect(again).toMatchObject({ sessionId: first.sessionId, isNew: false, redelivered: true });
        expect(again.session.interactions).toBe(1);
        const next = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'update-2' });
        expect(next.session.interactions).toBe(2);
        await settle();
        expect(h.starts).toHaveLength(1);
      });

      it('opens no second session when a message is redelivered after its handler failed', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const first = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u-7' });
        await h.tracker.end(ref, 'interrupted');
        const retry = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u-7' });
        expect(retry).toMatchObject({ sessionId: first.sessionId, redelivered: true, isNew: false });
        expect(retry.session).toMatchObject({ status: 'ended', endReason: 'interrupted', interactions: 1 });
        expect(await h.tracker.get(ref)).toBeUndefined();
        // The reply to the redelivery answers an ended session: counted nowhere, opens nothing.
        expect(
          await h.tracker.track(ref, { direction: 'outbound', inReplyTo: retry.sessionId }),
        ).toBeUndefined();
        const fresh = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u-8' });
        expect(fresh.isNew).toBe(true);
        expect(fresh.session.previousSessionId).toBe(first.sessionId);
        await settle();
        expect(h.starts.map((s) => s.id)).toEqual([first.sessionId, fresh.sessionId]);
      });

      it('keeps delivery ids per conversation: the same id elsewhere is a new message', async () => {
        const h = await harness();
        const a = await h.tracker.track(conversation('web'), { direction: 'inbound', deliveryId: 'm-1' });
        const b = await h.tracker.track(conversation('web'), { direction: 'inbound', deliveryId: 'm-1' });
        expect([a.isNew, b.isNew, a.redelivered, b.redelivered]).toEqual([true, true, false, false]);
      });

      it('remembers the newest 32 delivery ids of a conversation: bounded memory', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        for (let i = 1; i <= 40; i++)
          await h.tracker.track(ref, { direction: 'inbound', deliveryId: `u${i}` });
        const recent = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u9' });
        expect(recent.redelivered).toBe(true); // 9..40: the newest 32
        const forgotten = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u8' });
        expect(forgotten).toMatchObject({ redelivered: false });
        expect(forgotten.session.interactions).toBe(41);
      });

      it('forgets a delivery id after the channel’s redelivery window', async () => {
        const h = await harness({ telegram: { redeliveryWindowMs: 60_000 } });
        const ref = conversation('telegram');
        await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'old' });
        h.skip(61_000);
        // Still inside the 24 h session (skip moves the clock only): a new message of it.
        const later = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'old' });
        expect(later).toMatchObject({ redelivered: false });
        expect(later.session.interactions).toBe(later.isNew ? 1 : 2);
      });

      it('does an explicit event once per delivery id', async () => {
        const h = await harness();
        const ref = conversation('web');
        await h.tracker.track(ref, inbound);
        await h.tracker.surveySent(ref, { deliveryId: 'survey-1' });
        const sentAt = (await h.tracker.get(ref))!.surveySentAt;
        h.skip(10);
        await h.tracker.surveySent(ref, { deliveryId: 'survey-1' });
        expect((await h.tracker.get(ref))!.surveySentAt).toBe(sentAt);
        const ended = await h.tracker.handoff(ref, { deliveryId: 'handoff-1' });
        expect(ended).toMatchObject({ status: 'ended', endReason: 'handoff' });
        const repeat = await h.tracker.handoff(ref, { deliveryId: 'handoff-1' });
        expect(repeat).toMatchObject({ id: ended!.id, status: 'ended' });
        await settle();
        expect(h.ends).toHaveLength(1);
      });

      it('keeps an end’s delivery id apart from the message that carried the same platform id', async () => {
        const h = await harness();
        const ref = conversation('telegram');
        const first = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u-42' });
        const ended = await h.tracker.end(ref, 'interrupted', { deliveryId: 'u-42' });
        expect(ended).toMatchObject({ id: first.sessionId, status: 'ended', endReason: 'interrupted' });
        // The retry fails again: its message is a redelivery, its end ends nothing new.
        const next = await h.tracker.track(ref, { direction: 'inbound', deliveryId: 'u-43' });
        await h.tracker.end(ref, 'interrupted', { deliveryId: 'u-42' });
        expect((await h.tracker.get(ref))?.id).toBe(next.sessionId);
      });

      it('keeps a survey score and links a session to the previous one', async () => {
        const h = await harness();
        const ref = conversation('web');
        const first = await h.tracker.track(ref, inbound);
        expect(first.session.previousSessionId).toBeUndefined();
        await h.tracker.surveySent(ref);
        const answered = await h.tracker.surveyAnswered(ref, { score: 4 });
        expect(answered).toMatchObject({ status: 'ended', endReason: 'survey', surveyScore: 4 });
        const second = await h.tracker.track(ref, inbound);
        expect(second.session.previousSessionId).toBe(first.sessionId);
        await eventually(() => expect(h.ends.map((s) => s.surveyScore)).toEqual([4]));
      });

      it('keeps conversations apart whose ids differ only in unpaired surrogates', async () => {
        const h = await harness();
        const base = conversation('web').conversationId;
        const ids = [`${base}\ud800`, `${base}\udc00`, `${base}\ufffd`, `${base}\u001f`];
        const stamps = [];
        for (const id of ids) {
          stamps.push(
            await h.tracker.track({ channel: 'web', conversationId: id, userId: 'u\ud800' }, inbound),
          );
        }
        expect(stamps.map((s) => s.isNew)).toEqual([true, true, true, true]);
        expect(new Set(stamps.map((s) => s.sessionId)).size).toBe(4);
        expect(stamps.map((s) => s.session.conversationId)).toEqual(ids);
        expect(stamps.map((s) => s.session.userId)).toEqual(Array(4).fill('u\ud800'));
        const again = await h.tracker.track({ channel: 'web', conversationId: ids[0]! }, inbound);
        expect(again).toMatchObject({ sessionId: stamps[0]!.sessionId, isNew: false });
      });

      it('rejects a bad delivery id or score naming the option', async () => {
        const h = await harness();
        const ref = conversation('web');
        await expect(h.tracker.track(ref, { direction: 'inbound', deliveryId: '' })).rejects.toThrow(
          /deliveryId/,
        );
        await expect(h.tracker.surveyAnswered(ref, { score: 101 })).rejects.toThrow(/score/);
        await expect(h.tracker.surveyAnswered(ref, { score: Number.NaN })).rejects.toThrow(/score/);
      });
    });

    describe('the ledger and report', () => {
      /** A channel id no other test uses, so that store-wide counters start at zero. */
      function freshChannel(): string {
        counter += 1;
        return `ledger-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
      }

      it('reports sessions, interactions, ends by reason and surveys exactly once', async () => {
        const channel = freshChannel();
        // Long enough that no session of this test ends by inactivity on a loaded machine.
        const h = await harness({ [channel]: { inactivityTimeoutMs: HOUR } });
        const start = h.now();
        const a = { channel, conversationId: 'a', userId: 'ua' };
        const b = { channel, conversationId: 'b', userId: 'ub' };
        const c = { channel, conversationId: 'c' };
        await h.tracker.track(a, { direction: 'inbound', deliveryId: 'a1' });
        await h.tracker.track(a, { direction: 'inbound', deliveryId: 'a1' }); // redelivery: nothing
        await h.tracker.track(a, outbound);
        await h.tracker.track(a, { direction: 'inbound', deliveryId: 'a2' });
        await h.tracker.handoff(a);
        await h.tracker.track(b, inbound);
        await h.tracker.surveySent(b);
        await h.tracker.surveyAnswered(b, { score: 80 });
        await h.tracker.track(c, outbound); // proactive: a session nobody answered yet
        const rows = await h.tracker.report({ from: start - HOUR, to: h.now() + HOUR });
        expect(rows).toHaveLength(1);
        const [row] = rows;
        expect(row).toMatchObject({
          channel,
          sessions: 3,
          engaged: 2,
          endedTotal: 2,
          interactions: 5,
          userMessages: 3,
          botMessages: 2,
          surveys: { sent: 1, answered: 1, meanScore: 80 },
          active: 1,
        });
        expect(row!.ended).toMatchObject({ handoff: 1, survey: 1, inactivity: 0, closed: 0 });
        expect(row!.interactionsPerSession.mean).toBe(2); // a: 3 interactions, b: 1
        expect(row!.durationMs.counts.reduce((x, y) => x + y, 0)).toBe(2);
        // The ends that reached the hooks are the ones the ledger counts, and the log holds them once.
        await eventually(() => expect(h.ends).toHaveLength(2));
        const logged: string[] = [];
        for await (const s of h.tracker.endedSessions({ since: start - HOUR, channel })) logged.push(s.id);
        expect(logged.sort()).toEqual(h.ends.map((s) => s.id).sort());
        const live: string[] = [];
        for await (const s of h.tracker.sessions({ channel })) live.push(s.conversationId);
        expect(live).toEqual(['c']);
      });

      it('counts an inactivity end once, in the hour of its deadline', async () => {
        const channel = freshChannel();
        const h = await harness({ [channel]: { inactivityTimeoutMs: timing.web } });
        const start = h.now();
        const ref = { channel, conversationId: 'x' };
        const { sessionId } = await h.tracker.track(ref, inbound);
        await wait(timing.web * 1.5);
        await eventually(() => expect(h.ends.map((s) => s.id)).toEqual([sessionId]));
        await settle();
        const rows = await h.tracker.report({
          from: start - HOUR,
          to: h.now() + HOUR,
          by: ['channel', 'hour'],
        });
        // The session may start in one hour and end in the next: one row per hour then.
        const endedAt = h.ends[0]!.endedAt!;
        const row = rows.find((r) => r.period!.from <= endedAt && endedAt < r.period!.to);
        expect(row).toMatchObject({ channel, endedTotal: 1, active: 0 });
        expect(row!.ended.inactivity).toBe(1);
        expect(rows.reduce((sum, r) => sum + r.sessions, 0)).toBe(1);
        expect(rows.reduce((sum, r) => sum + r.endedTotal, 0)).toBe(1);
        for (const r of rows) expect(r.period!.label).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00$/);
      });

      it('rejects a bad report query naming the field', async () => {
        const h = await harness();
        await expect(h.tracker.report({ from: 'yesterday' as never, to: 1 })).rejects.toThrow(/query\.from/);
        await expect(h.tracker.report({ from: 0, to: 1, timeZone: 'Mars/Base' })).rejects.toThrow(/timeZone/);
        await expect(h.tracker.report({ from: 0, to: 1, by: ['week' as never] })).rejects.toThrow(
          /query\.by/,
        );
      });
    });

    describe('policies and hooks', () => {
      it('applies a channel override, and the default policy to unknown channels', async () => {
        const custom = timing.web * 2;
        const h = await harness({ 'my-channel': { inactivityTimeoutMs: custom } });
        const unknown = await h.tracker.track(conversation('some-new-channel'), inbound);
        const overridden = await h.tracker.track(conversation('my-channel'), inbound);
        expect(unknown.session.expiresAt - unknown.session.startedAt).toBe(timing.web);
        expect(overridden.session.expiresAt - overridden.session.startedAt).toBe(custom);
      });

      it('keeps tracking when a hook throws or rejects, and emits error', async () => {
        const h = await harness();
        h.tracker.on('sessionStart', () => {
          throw new Error('start hook broke');
        });
        h.tracker.on('sessionEnd', async () => {
          throw new Error('end hook broke');
        });
        const ref = conversation('web');
        const stamp = await h.tracker.track(ref, inbound);
        expect(stamp.isNew).toBe(true);
        await h.tracker.end(ref, 'closed');
        await eventually(() => expect(h.errors.map((e) => e.message).join('\n')).toMatch(/end hook broke/));
        expect(h.errors.map((e) => e.message).join('\n')).toMatch(/start hook broke/);
        expect(h.ends).toHaveLength(1);
        expect((await h.tracker.track(ref, inbound)).isNew).toBe(true);
      });

      it('stops calling a handler once unsubscribed', async () => {
        const h = await harness();
        const seen: string[] = [];
        const off = h.tracker.on('sessionStart', (s) => {
          seen.push(s.id);
        });
        const first = await h.tracker.track(conversation('web'), inbound);
        await eventually(() => expect(seen).toEqual([first.sessionId]));
        off();
        await h.tracker.track(conversation('web'), inbound);
        await eventually(() => expect(h.starts).toHaveLength(2));
        expect(seen).toEqual([first.sessionId]);
      });
    });
  });
}
