import { describe, expect, it } from 'vitest';
import { decodeRecord, decodeReply, decodeSnapshot } from './session-codec.js';

// A record as commands/includes/session-record.lua writes it.
function record(fields: { userId: string; lastUser?: number; survey?: string }): string {
  const head = [
    String(1_800_000_300_000).padStart(13, '0'), // expiresAt
    String(fields.lastUser ?? 1_800_000_000_000).padStart(13, '0'), // lastUserMessageAt (0: none)
    String(1_800_000_000_500).padStart(13, '0'), // lastActivityAt
    String(1_800_604_800_000).padStart(13, '0'), // keyExpiresAt
    '000000003',
    '000000002',
    '000000001',
  ].join('');
  return `${head}session-1\x1f1799999999000\x1f${fields.survey ?? ''}\x1f${fields.userId}`;
}

describe('session records', () => {
  it('reads every field of a record', () => {
    expect(decodeRecord('web', 'c1', record({ userId: 'u1', survey: '1800000000100' }))).toEqual({
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
      endedAt: undefined,
      endReason: undefined,
    });
  });

  it('keeps a user id that holds the separator, and reads empty fields as undefined', () => {
    const session = decodeRecord('web', 'c1', record({ userId: 'odd\x1fid', lastUser: 0 }));
    expect(session.userId).toBe('odd\x1fid');
    expect(session.lastUserMessageAt).toBeUndefined();
    expect(session.surveySentAt).toBeUndefined();
    expect(decodeRecord('web', 'c1', record({ userId: '' })).userId).toBeUndefined();
  });

  it('reads replies and ended snapshots', () => {
    const body = record({ userId: 'u1' });
    expect(decodeReply('web', 'c1', '0')).toEqual({ code: 0, session: undefined });
    expect(decodeReply('web', 'c1', `2${body}`)).toMatchObject({ code: 2, session: { id: 'session-1' } });
    const ended = decodeReply('web', 'c1', `31800000000900handoff\x1f${body}`);
    expect(ended.session).toMatchObject({
      status: 'ended',
      endedAt: 1_800_000_000_900,
      endReason: 'handoff',
    });
    expect(decodeSnapshot('web', 'c1', `1800000300000inactivity\x1f${body}`)).toMatchObject({
      endedAt: 1_800_000_300_000,
      endReason: 'inactivity',
      userId: 'u1',
    });
  });
});
