import { createSessionTracker } from '@botsession/core';
import { refOf } from '@botsession/twilio';
import { describe, expect, it } from 'vitest';
import { fixture } from './harness.js';

describe('refOf', () => {
  it('maps an inbound SMS to the sms channel, user + business number', () => {
    expect(refOf(fixture('inbound-sms'))).toEqual({
      channel: 'sms',
      conversationId: '+14155550100|+15017122661',
      userId: '+14155550100',
    });
  });

  it('maps a whatsapp: sender to the whatsapp channel', () => {
    expect(refOf(fixture('inbound-whatsapp'))).toEqual({
      channel: 'whatsapp',
      conversationId: 'whatsapp:+14155550100|whatsapp:+14155238886',
      userId: 'whatsapp:+14155550100',
    });
  });

  it('names the missing field', () => {
    expect(() => refOf({ To: '+15017122661' })).toThrow(
      "message.From must be the user's address, got undefined",
    );
    expect(() => refOf({ From: '+14155550100', To: '' })).toThrow(
      'message.To must be the business address, got ""',
    );
  });

  it('gives a ref every tracker method accepts: a handoff ends the SMS session', async () => {
    const tracker = createSessionTracker();
    const ref = refOf(fixture('inbound-sms'));
    await tracker.track(ref, { direction: 'inbound' });
    expect(await tracker.handoff(ref)).toMatchObject({ endReason: 'handoff', status: 'ended' });
    expect(await tracker.get(ref)).toBeUndefined();
    await tracker.close();
  });
});
