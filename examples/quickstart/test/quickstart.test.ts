import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

// One run of the quickstart (about 5 s) serves every test here.
let stdout: string;
beforeAll(async () => {
  ({ stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 30_000 }));
});

it('runs the quickstart to the end: every end reason shown, every session ended once, exit 0', () => {
  const started = stdout.match(/▶ S\d+ started/g) ?? [];
  const ended = stdout.match(/■ S\d+ ended/g) ?? [];
  expect(started.length).toBeGreaterThanOrEqual(6);
  expect(ended).toHaveLength(started.length);
  for (const reason of ['inactivity', 'closed', 'handoff', 'survey', 'interrupted']) {
    expect(stdout).toContain(`ended: ${reason}`);
  }
  // The web session ends 3 s after the user's message although the bot replied at 2 s.
  expect(stdout).toContain("3.0s after the user's last message");
  expect(stdout).toContain('Every session ended exactly once. Done.');
});

it('ends with the report of the run, its numbers those of the sessions the timeline showed', () => {
  // What the timeline says, per channel: "■ S3 ended: handoff after 0.5s (2 interactions: 1 user, 1 bot)".
  const seen = new Map<
    string,
    { sessions: number; lived: number; interactions: number; user: number; bot: number; ends: string[] }
  >();
  for (const [, channel, reason, lived, interactions, user, bot] of stdout.matchAll(
    /^\+\s*[\d.]+s\s+(\S+)\s+■ S\d+ ended: (\w+) after ([\d.]+)s.*\((\d+) interactions: (\d+) user, (\d+) bot\)$/gm,
  )) {
    const c = seen.get(channel!) ?? { sessions: 0, lived: 0, interactions: 0, user: 0, bot: 0, ends: [] };
    c.sessions++;
    c.lived += Number(lived);
    c.interactions += Number(interactions);
    c.user += Number(user);
    c.bot += Number(bot);
    c.ends.push(reason!);
    seen.set(channel!, c);
  }
  expect(seen.size).toBe(5);

  const report = stdout.slice(stdout.indexOf('Usage report of this run (tracker.report):'));
  const lines = report.split('\n').slice(2);
  expect(lines[0]!.split(/\s{2,}/)).toEqual([
    'channel',
    'sessions',
    'engaged',
    'interactions',
    'user',
    'bot',
    'mean length',
    'ended',
  ]);
  for (const [channel, c] of seen) {
    const row = lines.find((l) => l.startsWith(`${channel} `));
    expect(row, channel).toBeDefined();
    const [, sessions, engaged, interactions, user, bot, mean, ended] = row!.split(/\s{2,}/);
    expect([sessions, interactions, user, bot].map(Number)).toEqual([
      c.sessions,
      c.interactions,
      c.user,
      c.bot,
    ]);
    // Engaged: the sessions in which the user wrote (Slack's proactive message was never answered).
    expect(Number(engaged)).toBe(channel === 'slack' ? 0 : c.sessions);
    // The timeline and the report each round to 0.1 s.
    expect(Math.abs(Number.parseFloat(mean!) - c.lived / c.sessions)).toBeLessThanOrEqual(0.1 + 1e-9);
    const counts = new Map<string, number>();
    for (const reason of c.ends) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    for (const [reason, n] of counts) expect(ended).toContain(`${n} ${reason}`);
    expect(ended!.split(', ')).toHaveLength(counts.size);
  }
});
