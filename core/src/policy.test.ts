import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors/config-error.js';
import { DEFAULT_POLICIES, PolicySet } from './policy.js';

describe('policies', () => {
  it('has the seed rules: 5 min web, messaging API, help and default; 24 h social, SMS, Slack, Teams and LINE', () => {
    const minutes = (channel: string) => DEFAULT_POLICIES[channel]!.inactivityTimeoutMs / 60_000;
    expect(['web', 'messaging-api', 'help', 'default'].map(minutes)).toEqual([5, 5, 5, 5]);
    expect(
      ['facebook', 'whatsapp', 'instagram', 'telegram', 'twitter', 'sms', 'slack', 'teams', 'line'].map(
        minutes,
      ),
    ).toEqual(Array(9).fill(24 * 60));
    expect(DEFAULT_POLICIES.web!.surveyWindowMs).toBe(24 * 3_600_000);
    expect(Object.isFrozen(DEFAULT_POLICIES.web!.endOn)).toBe(true);
  });

  it('gives RCS (Twilio `rcs:` addresses) the SMS policy', () => {
    expect(DEFAULT_POLICIES.rcs).toEqual(DEFAULT_POLICIES.sms);
    expect(new PolicySet(undefined).of('rcs').inactivityTimeoutMs).toBe(24 * 3_600_000);
  });

  it('remembers delivery ids for each platform’s documented retry period', () => {
    const hours = (channel: string) => DEFAULT_POLICIES[channel]!.redeliveryWindowMs / 3_600_000;
    expect(hours('whatsapp')).toBe(7 * 24);
    expect(
      ['telegram', 'facebook', 'instagram', 'sms', 'line', 'messaging-api', 'default'].map(hours),
    ).toEqual(Array(7).fill(24));
    expect(['slack', 'teams', 'twitter', 'web', 'help'].map(hours)).toEqual(Array(5).fill(1));
  });

  it('merges an override field by field over the defaults', () => {
    const set = new PolicySet({ web: { inactivityTimeoutMs: 600_000, endOn: { close: false } } });
    expect(set.of('web')).toEqual({
      inactivityTimeoutMs: 600_000,
      surveyWindowMs: 24 * 3_600_000,
      endOn: { close: false, handoff: true, survey: true, interruption: true },
      redeliveryWindowMs: 3_600_000,
    });
    expect(set.of('telegram').inactivityTimeoutMs).toBe(24 * 3_600_000);
  });

  it('gives unknown channels the default policy, and lets users override default', () => {
    const set = new PolicySet({ default: { inactivityTimeoutMs: 1_000 }, kiosk: { surveyWindowMs: 5 } });
    expect(set.of('some-channel').inactivityTimeoutMs).toBe(1_000);
    expect(set.of('kiosk')).toMatchObject({ inactivityTimeoutMs: 1_000, surveyWindowMs: 5 });
    expect(set.of('web').inactivityTimeoutMs).toBe(300_000);
  });

  it.each([
    [{ web: { inactivityTimeoutMs: -1 } }, 'channels.web.inactivityTimeoutMs', 'got -1'],
    [{ web: { inactivityTimeoutMs: '5m' } }, 'channels.web.inactivityTimeoutMs', 'got "5m"'],
    [{ web: { inactivityTimeoutMs: Number.NaN } }, 'channels.web.inactivityTimeoutMs', 'got NaN'],
    [{ sms: { surveyWindowMs: 0 } }, 'channels.sms.surveyWindowMs', 'got 0'],
    [{ sms: { redeliveryWindowMs: -5 } }, 'channels.sms.redeliveryWindowMs', 'got -5'],
    [{ web: { timeout: 5 } }, 'channels.web.timeout', 'is not a policy field'],
    [{ web: { endOn: { escalation: true } } }, 'channels.web.endOn.escalation', 'is not an end rule'],
    [{ web: { endOn: { close: 'yes' } } }, 'channels.web.endOn.close', 'must be true or false'],
    [{ web: 5 }, 'channels.web', 'must be an object'],
  ])('rejects %j naming the field', (channels, field, detail) => {
    let thrown: unknown;
    try {
      new PolicySet(channels as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe(field);
    expect((thrown as ConfigError).message).toContain(field);
    expect((thrown as ConfigError).message).toContain(detail);
  });
});
