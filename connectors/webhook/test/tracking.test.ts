import { createSessionTracker, type SessionTracker, StoreUnavailableError } from '@botsession/core';
import {
  endInterrupted,
  trackOrUndefined,
  trackReplyOrUndefined,
  unlessStoreDownOrReport,
} from '@botsession/webhook';
import { afterEach, describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';

const REF = { channel: 'web', conversationId: 'c1', userId: 'u1' };

let tracker: SessionTracker | undefined;
afterEach(async () => {
  await tracker?.close();
  tracker = undefined;
});

/** A tracker whose emitted errors and reported errors are both recorded. */
function recording(up: boolean) {
  tracker = createSessionTracker(up ? {} : { backend: unavailableBackend() });
  const emitted: Error[] = [];
  const reported: unknown[] = [];
  tracker.on('error', (error) => void emitted.push(error));
  return { tracker, emitted, reported, report: (error: unknown) => void reported.push(error) };
}

describe('trackOrUndefined', () => {
  it('returns the stamp when the store is up', async () => {
    const { tracker, report, reported } = recording(true);
    const stamp = await trackOrUndefined(tracker, REF, 'inbound', report);
    expect(stamp?.isNew).toBe(true);
    expect(stamp?.session.interactions).toBe(1);
    expect(reported).toEqual([]);
  });

  it('yields no stamp when the store is down; the tracker emitted error, nothing more is reported', async () => {
    const { tracker, report, reported, emitted } = recording(false);
    expect(await trackOrUndefined(tracker, REF, 'inbound', report)).toBeUndefined();
    expect(emitted.map((error) => error.name)).toEqual(['StoreUnavailableError']);
    expect(reported).toEqual([]);
  });

  it('reports any other failure (a closed tracker) instead of swallowing it', async () => {
    const { tracker, report, reported } = recording(true);
    await tracker.close();
    expect(await trackOrUndefined(tracker, REF, 'outbound', report)).toBeUndefined();
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toMatch(/closed/);
  });
});

describe('trackReplyOrUndefined', () => {
  it('counts a reply to the active session', async () => {
    const { tracker, report, reported } = recording(true);
    const question = await trackOrUndefined(tracker, REF, 'inbound', report);
    const reply = await trackReplyOrUndefined(tracker, REF, question?.sessionId, report);
    expect(reply?.sessionId).toBe(question?.sessionId);
    expect(reply?.session.botMessages).toBe(1);
    expect(reported).toEqual([]);
  });

  it('counts nothing and opens nothing when the answered session ended (handoff in the handler)', async () => {
    const { tracker, report, reported } = recording(true);
    const starts: string[] = [];
    tracker.on('sessionStart', (session) => void starts.push(session.id));
    const question = await trackOrUndefined(tracker, REF, 'inbound', report);
    await tracker.handoff(REF);
    expect(await trackReplyOrUndefined(tracker, REF, question?.sessionId, report)).toBeUndefined();
    expect(starts).toEqual([question?.sessionId]);
    expect(await tracker.get(REF)).toBeUndefined();
    expect(reported).toEqual([]);
  });

  it('is a plain outbound message without inReplyTo (the inbound message got no stamp)', async () => {
    const { tracker, report } = recording(true);
    const reply = await trackReplyOrUndefined(tracker, REF, undefined, report);
    expect(reply?.isNew).toBe(true);
    expect(reply?.session.botMessages).toBe(1);
  });

  it('yields undefined when the store is down, reporting nothing more', async () => {
    const { tracker, report, reported, emitted } = recording(false);
    expect(await trackReplyOrUndefined(tracker, REF, 'some-session', report)).toBeUndefined();
    expect(emitted.map((error) => error.name)).toEqual(['StoreUnavailableError']);
    expect(reported).toEqual([]);
  });
});

describe('endInterrupted', () => {
  it("ends the session as interrupted when the channel's policy says so", async () => {
    const { tracker, report, reported } = recording(true);
    const ends: string[] = [];
    tracker.on('sessionEnd', (session) => void ends.push(session.endReason ?? ''));
    await trackOrUndefined(tracker, REF, 'inbound', report);
    await endInterrupted(tracker, REF, report);
    expect(ends).toEqual(['interrupted']);
    expect(await tracker.get(REF)).toBeUndefined();
    expect(reported).toEqual([]);
  });

  it('resolves when the store is down, and reports a closed tracker', async () => {
    const down = recording(false);
    await expect(endInterrupted(down.tracker, REF, down.report)).resolves.toBeUndefined();
    expect(down.reported).toEqual([]);
    await down.tracker.close();
    await endInterrupted(down.tracker, REF, down.report);
    expect(down.reported).toHaveLength(1);
  });
});

describe('unlessStoreDownOrReport', () => {
  it('passes the value through, turns an outage into undefined and reports the rest', async () => {
    const reported: unknown[] = [];
    const report = (error: unknown) => void reported.push(error);
    expect(await unlessStoreDownOrReport(async () => 42, report)).toBe(42);
    const outage = new StoreUnavailableError('down');
    expect(await unlessStoreDownOrReport(() => Promise.reject(outage), report)).toBeUndefined();
    expect(reported).toEqual([]);
    const bug = new TypeError('bad ref');
    expect(
      await unlessStoreDownOrReport(() => {
        throw bug; // a synchronous throw is caught too
      }, report),
    ).toBeUndefined();
    expect(reported).toEqual([bug]);
  });
});
