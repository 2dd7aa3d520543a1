import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS_MS, INTERACTION_BUCKETS } from '../../ledger.js';
import { conversationName, decodeName, encodeName, refOfName } from './names.js';
import { decodeLive, decodeSnapshot, RECORD } from './session-codec.js';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

// A live record as commands/includes/record.lua writes it.
function live(fields: {
  userId: string;
  lastUser?: number;
  survey?: string;
  score?: string;
  previous?: string;
}) {
  const head = `L${pad(1_800_000_300_000, 13)}${pad(fields.lastUser ?? 1_800_000_000_000, 13)}${pad(1_800_000_000_500, 13)}${pad(1_800_003_900_000, 13)}${pad(3, 9)}${pad(2, 9)}${pad(1, 9)}`;
  expect(head).toHaveLength(RECORD.tail);
  return `${head}session-1\x1f1799999999000\x1f${fields.survey ?? ''}\x1f${fields.score ?? ''}\x1f${fields.previous ?? ''}\x1f2\x1f${fields.userId}\x1fAbCdEfGh:1800000000000:2`;
}

describe('session records', () => {
  it('reads every field of a live record', () => {
    expect(
      decodeLive('web', 'c1', live({ userId: 'u1', survey: '1800000000100', score: '4.5', previous: 'p-0' })),
    ).toEqual({
      id: 'session-1',
      channel: 'web',
      conversationId: 'c1',
      userId: 'u1',
      status: 'active',
      startedAt: 1_799_999_999_000,
      lastUserMessageAt: 1_800_000_000_000,
      lastActivityAt: 1_800_000_000_500,
      expiresAt: 1_800_000_300_000,
      interactions: 3,
      userMessages: 2,
      botMessages: 1,
      surveySentAt: 1_800_000_000_100,
      surveyScore: 4.5,
      previousSessionId: 'p-0',
      endedAt: undefined,
      endReason: undefined,
    });
  });

  it('reads empty optional fields as undefined, and a user id holding the separator (escaped)', () => {
    const session = decodeLive('sms', 'c2', live({ userId: encodeName('a\x1fb'), lastUser: 0 }));
    expect(session).toMatchObject({
      userId: 'a\x1fb',
      lastUserMessageAt: undefined,
      surveySentAt: undefined,
    });
    expect(session.previousSessionId).toBeUndefined();
    expect(decodeLive('sms', 'c2', live({ userId: '' })).userId).toBeUndefined();
  });

  it('reads a snapshot: endedAt, reason, then the record', () => {
    const snapshot = `${pad(1_800_000_300_000, 13)}handoff\x1f${live({ userId: 'u1' })}`;
    expect(decodeSnapshot('web', 'c1', snapshot)).toMatchObject({
      id: 'session-1',
      status: 'ended',
      endedAt: 1_800_000_300_000,
      endReason: 'handoff',
      interactions: 3,
    });
  });
});

describe('conversation names', () => {
  it('keeps every id apart, unpaired surrogates and separators included', () => {
    const ids = ['a\ud800', 'a\udc00', 'a\ufffd', 'a', 'x\x1fy', '\u0000~abc', '😀', '\ud83d'];
    const names = ids.map(encodeName);
    expect(new Set(names).size).toBe(ids.length);
    expect(names.map(decodeName)).toEqual(ids);
    // What Redis stores is UTF-8: the encoded names must survive it.
    for (const name of names) expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
    const ref = { channel: 'web', conversationId: 'a\ud800' };
    expect(refOfName(conversationName(ref))).toEqual(ref);
  });
});

describe('the ledger in Lua', () => {
  it('uses the same histogram buckets as core/src/ledger.ts', () => {
    const lua = readFileSync(new URL('./commands/includes/ledger.lua', import.meta.url), 'utf8');
    const list = (name: string) =>
      new RegExp(`local ${name} = \\{([^}]*)\\}`)
        .exec(lua)![1]!
        .split(',')
        .map((v) => Number(v.trim()));
    expect(list('DURATION_BUCKETS')).toEqual(DURATION_BUCKETS_MS);
    expect(list('INTERACTION_BUCKETS')).toEqual(INTERACTION_BUCKETS);
  });
});
