import { expect, it } from 'vitest';
import { parseRef, uuidV7Time } from './ref.js';

it('splits CHANNEL:CONVERSATION at the first colon; the conversation keeps the others', () => {
  expect(parseRef('x', 'web:visitor-1')).toEqual({ channel: 'web', conversationId: 'visitor-1' });
  expect(parseRef('x', 'sms:+15550002222:+15550009999')).toEqual({
    channel: 'sms',
    conversationId: '+15550002222:+15550009999',
  });
  for (const bad of ['web', ':42', 'web:']) {
    expect(() => parseRef('the conversation', bad)).toThrow(`the conversation must be CHANNEL:CONVERSATION`);
  }
});

it('reads the time a UUIDv7 was made, and nothing from other ids', () => {
  expect(uuidV7Time('019ad5d4-3c00-7a2b-8c3d-0123456789ab')).toBe(0x019ad5d43c00);
  expect(uuidV7Time('0f8fad5b-d9cb-469f-a165-70867728950e')).toBeUndefined(); // v4
  expect(uuidV7Time('my-own-id')).toBeUndefined();
});
