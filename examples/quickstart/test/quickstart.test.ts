import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

it('runs the quickstart to the end: every end reason shown, every session ended once, exit 0', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 30_000 });
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
