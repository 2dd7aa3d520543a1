import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ConfigError,
  createSessionTracker,
  HookError,
  memoryBackend,
  type Session,
  StoreUnavailableError,
  TrackerClosedError,
  type UntrackedCall,
  unlessStoreDown,
} from '@botsession/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unavailableBackend } from '../../test/support/unavailable-backend.js';

const run = promisify(execFile);
const ref = { channel: 'web', conversationId: 'c1', userId: 'u1' };

afterEach(() => {
  vi.useRealTimers();
});

describe('createSessionTracker', () => {
  it('throws at construction on an unknown option or a bad policy, naming the field', () => {
    expect(() => createSessionTracker({ chanels: {} } as never)).toThrow(/chanels is not a tracker option/);
    expect(() => createSessionTracker({ channels: { web: { inactivityTimeoutMs: -1 } } })).toThrow(
      ConfigError,
    );
    expect(() => createSessionTracker({ channels: { web: { inactivityTimeoutMs: -1 } } })).toThrow(
      'channels.web.inactivityTimeoutMs must be a positive number of milliseconds up to 2147483647, got -1',
    );
    expect(() => createSessionTracker({ generateId: 'uuid' } as never)).toThrow(
      /generateId must be a function/,
    );
  });

  it('uses generateId for new sessions', async () => {
    let n = 0;
    const tracker = createSessionTracker({ generateId: () => `mine-${++n}` });
    expect((await tracker.track(ref, { direction: 'inbound' })).sessionId).toBe('mine-1');
    await tracker.close();
  });

  it('rejects a malformed ref or direction with the field named', async () => {
    const tracker = createSessionTracker();
    await expect(
      tracker.track({ channel: '', conversationId: 'x' }, { direction: 'inbound' }),
    ).rejects.toThrow(/ref.channel must be a non-empty string/);
    await expect(tracker.track({ channel: 'web' } as never, { direction: 'inbound' })).rejects.toThrow(
      /ref.conversationId/,
    );
    await expect(tracker.track(ref, { direction: 'sideways' } as never)).rejects.toThrow(/options.direction/);
    await expect(tracker.end(ref, 'bored' as never)).rejects.toThrow(/end reason must be one of/);
    await expect(tracker.track(ref, { direction: 'inbound', inReplyTo: 's1' })).rejects.toThrow(
      /options.inReplyTo must be a session id on an outbound message, got "s1" on inbound/,
    );
    await tracker.close();
  });

  it('rejects with StoreUnavailableError and emits error when the store is down', async () => {
    const tracker = createSessionTracker({ backend: unavailableBackend() });
    const errors: Error[] = [];
    tracker.on('error', (e) => {
      errors.push(e);
    });
    await expect(tracker.track(ref, { direction: 'inbound' })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
  });

  it('emits untracked for every call the store did not take, naming the message or event', async () => {
    const tracker = createSessionTracker({ backend: unavailableBackend() });
    const untracked: UntrackedCall[] = [];
    const errors: Error[] = [];
    tracker.on('untracked', (call) => void untracked.push(call));
    tracker.on('error', (error) => void errors.push(error));
    const calls = [
      tracker.track(ref, { direction: 'inbound', deliveryId: 'm1' }),
      tracker.track(ref, { direction: 'outbound' }),
      tracker.handoff(ref),
      tracker.surveySent(ref),
      tracker.surveyAnswered(ref, { score: 5 }),
      tracker.end(ref, 'closed'),
      tracker.get(ref), // a read: nothing went uncounted
    ];
    for (const call of calls) await expect(call).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(untracked.map((call) => call.event)).toEqual([
      'inbound',
      'outbound',
      'handoff',
      'surveySent',
      'surveyAnswered',
      'end',
    ]);
    expect(untracked.every((call) => call.ref === ref && call.error instanceof StoreUnavailableError)).toBe(
      true,
    );
    expect(errors).toHaveLength(7);

    // A handler that throws is reported on `error`, and the others still run.
    let after = 0;
    tracker.on('untracked', () => {
      throw new Error('the metrics sink is gone');
    });
    tracker.on('untracked', () => void after++);
    await expect(tracker.track(ref, { direction: 'inbound' })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(after).toBe(1);
    expect(errors.at(-1)?.message).toBe('the metrics sink is gone');
  });

  it('unlessStoreDown: an outage yields undefined, a value passes, anything else still rejects', async () => {
    const down = createSessionTracker({ backend: unavailableBackend() });
    down.on('error', () => {});
    expect(await unlessStoreDown(down.track(ref, { direction: 'inbound' }))).toBeUndefined();
    const up = createSessionTracker();
    expect(await unlessStoreDown(up.track(ref, { direction: 'inbound' }))).toMatchObject({ isNew: true });
    await up.close();
    await expect(unlessStoreDown(up.track(ref, { direction: 'inbound' }))).rejects.toBeInstanceOf(
      TrackerClosedError,
    );
  });

  it('refuses calls after close() with TrackerClosedError, not a store outage', async () => {
    const tracker = createSessionTracker();
    await tracker.close();
    await expect(tracker.track(ref, { direction: 'inbound' })).rejects.toBeInstanceOf(TrackerClosedError);
    await expect(tracker.get(ref)).rejects.toThrow(/get\(\) was called after close\(\)/);
    await expect(tracker.report({ from: 0, to: 1 })).rejects.toBeInstanceOf(TrackerClosedError);
  });

  it('rejects ids past the documented length, naming the field', async () => {
    const tracker = createSessionTracker();
    await expect(
      tracker.track({ channel: 'web', conversationId: 'x'.repeat(1_025) }, { direction: 'inbound' }),
    ).rejects.toThrow('ref.conversationId must be at most 1024 characters, got 1025');
    await expect(
      tracker.track({ channel: 'c'.repeat(129), conversationId: 'x' }, { direction: 'inbound' }),
    ).rejects.toThrow(/ref.channel must be at most 128/);
    await tracker.close();
  });
});

describe('hooks and close()', () => {
  it('gives up on a hook that never settles: reported as HookError, other sessions keep ending', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const tracker = createSessionTracker({ hookTimeoutMs: 5_000 });
    const errors: Error[] = [];
    const ended: Session[] = [];
    tracker.on('error', (e) => {
      errors.push(e);
    });
    tracker.on('sessionEnd', (s) => {
      ended.push(s);
      // The first end's hook hangs forever; the rest return at once.
      return ended.length === 1 ? new Promise<void>(() => {}) : undefined;
    });
    await tracker.track({ channel: 'web', conversationId: 'stuck' }, { direction: 'inbound' });
    await vi.advanceTimersByTimeAsync(60_000);
    await tracker.track({ channel: 'web', conversationId: 'next' }, { direction: 'inbound' });
    await vi.advanceTimersByTimeAsync(6 * 60_000);
    expect(ended.map((s) => s.conversationId)).toEqual(['stuck', 'next']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HookError);
    expect(errors[0]!.message).toMatch(/did not settle within hookTimeoutMs \(5000 ms\)/);
    // close() is not held by the stuck hook either: its slot was released.
    await tracker.close();
  });

  it('returns the same promise from every close(), and waits for running hooks within closeTimeoutMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const tracker = createSessionTracker({ hookTimeoutMs: 60_000, closeTimeoutMs: 2_000 });
    const errors: Error[] = [];
    tracker.on('error', (e) => {
      errors.push(e);
    });
    let finish: () => void = () => {};
    tracker.on('sessionStart', () => new Promise<void>((resolve) => (finish = resolve)));
    await tracker.track(ref, { direction: 'inbound' });
    const first = tracker.close();
    expect(tracker.close()).toBe(first);
    let closed = false;
    void first.then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(closed).toBe(false); // waiting for the running hook
    finish();
    await vi.advanceTimersByTimeAsync(0);
    await first;
    expect(errors).toEqual([]);
  });

  it('gives up on close() after closeTimeoutMs with a report naming what was still running', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const tracker = createSessionTracker({ hookTimeoutMs: 60_000, closeTimeoutMs: 2_000 });
    const errors: Error[] = [];
    tracker.on('error', (e) => {
      errors.push(e);
    });
    tracker.on('sessionStart', () => new Promise<void>(() => {}));
    await tracker.track(ref, { direction: 'inbound' });
    const closing = tracker.close();
    await vi.advanceTimersByTimeAsync(2_100);
    await closing;
    expect(errors.map((e) => e.message)).toEqual([
      'close() gave up after 2000 ms: 1 of 1 calls or hooks still running',
    ]);
  });
});

describe('memory backend', () => {
  it('keeps one timer for every deadline, and none after close()', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const tracker = createSessionTracker({ backend: memoryBackend() });
    for (let i = 0; i < 1_000; i++) {
      await tracker.track(
        { channel: i % 2 ? 'web' : 'telegram', conversationId: `c${i}` },
        { direction: 'inbound' },
      );
    }
    expect(vi.getTimerCount()).toBe(1);
    await tracker.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms its one timer when a session with an earlier deadline starts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const tracker = createSessionTracker({ backend: memoryBackend() });
    const ended: string[] = [];
    tracker.on('sessionEnd', (s) => {
      ended.push(`${s.channel}:${s.endReason}`);
    });
    await tracker.track({ channel: 'telegram', conversationId: 'slow' }, { direction: 'inbound' });
    await tracker.track({ channel: 'web', conversationId: 'fast' }, { direction: 'inbound' });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(ended).toEqual(['web:inactivity']);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(ended).toEqual(['web:inactivity', 'telegram:inactivity']);
    await tracker.close();
  });

  it('lets an idle bot process exit while sessions are still open (timers are unref’d)', async () => {
    const script = `
      import { createSessionTracker } from '@botsession/core';
      const tracker = createSessionTracker();
      await tracker.track({ channel: 'telegram', conversationId: '42' }, { direction: 'inbound' });
      console.log('tracked');`;
    // If the 24 h timer kept the loop alive, this would hang until the test times out.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('tracked');
  });
});

describe('packaging', () => {
  it('loads with require() from CommonJS (Node >= 20.19 require of ESM)', async () => {
    const script = `
      const core = require('@botsession/core');
      const tracker = core.createSessionTracker();
      tracker.track({ channel: 'web', conversationId: 'c' }, { direction: 'inbound' }).then((stamp) => {
        console.log(typeof core.DEFAULT_POLICIES.web.inactivityTimeoutMs, stamp.isNew);
        return tracker.close();
      });`;
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe('number true');
  });
});
