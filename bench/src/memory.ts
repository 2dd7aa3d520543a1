/**
 * Memory backend figures: track() per second on ongoing sessions, with a baseline measured in
 * the same run, and bytes per live session at one million sessions.
 */
import { createSessionTracker, memoryBackend } from '@botsession/core';
import { formatBytes, formatRate, perSecond, report } from './format.js';

const CONVERSATIONS = 100_000;
const MESSAGES = 3_000_000;
const LIVE_SESSIONS = 1_000_000;
const inbound = { direction: 'inbound' } as const;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

/** Heap plus typed-array memory: the memory backend keeps its numbers in ArrayBuffers. */
function usedBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** The floor any async tracker pays per message: one awaited call doing one Map update. */
async function baseline(refs: Array<{ channel: string; conversationId: string }>): Promise<number> {
  const counts = new Map<string, number>();
  const touch = async (ref: { conversationId: string }) => {
    const n = counts.get(ref.conversationId) ?? 0;
    counts.set(ref.conversationId, n + 1);
    return n;
  };
  const started = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i++) await touch(refs[i % CONVERSATIONS]!);
  return perSecond(MESSAGES, process.hrtime.bigint() - started);
}

async function trackRate(refs: Array<{ channel: string; conversationId: string }>): Promise<number> {
  // A frozen clock keeps every session ongoing: this measures the hot path, not expiry.
  const tracker = createSessionTracker({ backend: memoryBackend(), now: () => 1_700_000_000_000 });
  for (const ref of refs) await tracker.track(ref, inbound);
  const started = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i++) await tracker.track(refs[i % CONVERSATIONS]!, inbound);
  const rate = perSecond(MESSAGES, process.hrtime.bigint() - started);
  await tracker.close();
  return rate;
}

async function bytesPerSession(): Promise<{ tracked: number; naive: number }> {
  const before = usedBytes();
  const tracker = createSessionTracker({ backend: memoryBackend(), now: () => 1_700_000_000_000 });
  for (let i = 0; i < LIVE_SESSIONS; i++) {
    await tracker.track({ channel: 'telegram', conversationId: `chat-${i}`, userId: `user-${i}` }, inbound);
  }
  const tracked = (usedBytes() - before) / LIVE_SESSIONS;
  await tracker.close();

  // The same sessions kept the obvious way, as one plain Session object per conversation.
  const beforeNaive = usedBytes();
  const naive = new Map<string, object>();
  const now = 1_700_000_000_000;
  for (let i = 0; i < LIVE_SESSIONS; i++) {
    const conversationId = `chat-${i}`;
    naive.set(conversationId, {
      id: crypto.randomUUID(),
      channel: 'telegram',
      conversationId,
      userId: `user-${i}`,
      status: 'active',
      startedAt: now + i,
      lastUserMessageAt: now + i,
      lastActivityAt: now + i,
      expiresAt: now + i + 86_400_000,
      interactions: 1,
      userMessages: 1,
      botMessages: 0,
      surveySentAt: undefined,
      endedAt: undefined,
      endReason: undefined,
    });
  }
  const naiveBytes = (usedBytes() - beforeNaive) / LIVE_SESSIONS;
  naive.clear();
  return { tracked, naive: naiveBytes };
}

export async function runMemoryBench(): Promise<void> {
  console.log('\nMemory backend (one process, one core)');
  const refs = Array.from({ length: CONVERSATIONS }, (_, i) => ({
    channel: 'web',
    conversationId: `conv-${i}`,
  }));
  // Warm both paths up so the JIT has compiled them before timing.
  await baseline(refs);
  await trackRate(refs);
  const floor = await baseline(refs);
  const rate = await trackRate(refs);
  report(
    `baseline: awaited call + Map update (${CONVERSATIONS.toLocaleString('en-US')} convs)`,
    formatRate(floor),
  );
  report('tracker.track(), ongoing sessions', formatRate(rate));
  report('track() / baseline', `${((rate / floor) * 100).toFixed(0)} %`);
  const { tracked, naive } = await bytesPerSession();
  report(`bytes per live session at ${LIVE_SESSIONS.toLocaleString('en-US')} sessions`, formatBytes(tracked));
  report('same sessions as plain objects in a Map (comparison)', formatBytes(naive));
}
