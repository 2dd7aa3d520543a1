/**
 * The alerting rules shipped in alerts/: valid for Debian's promtool, each alert firing when it
 * should (promtool's rule unit tests in alerts.test.yml), and every metric they name is one
 * prometheus() really exposes, so a renamed metric cannot leave a rule silently matching nothing.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSessionTracker } from '@botsession/core';
import { prometheus } from '@botsession/metrics';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { unavailableBackend } from '../../../test/support/unavailable-backend.js';
import { parseExposition } from './exposition.js';

const run = promisify(execFile);
const RULES = fileURLToPath(new URL('../alerts/botsession.rules.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('./alerts.test.yml', import.meta.url));

describe('alerts/botsession.rules.yml', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', RULES]);
    expect(stdout).toContain('SUCCESS: 4 rules found');
  });

  it("passes promtool's rule unit tests: each alert fires when it should, and only then", async () => {
    const { stdout } = await run('promtool', ['test', 'rules', RULE_TESTS]);
    expect(stdout).toContain('SUCCESS');
  });

  it('names only metrics that prometheus() exposes', async () => {
    // A store outage, so that the per-process series (untracked, store errors) exist too.
    const tracker = createSessionTracker({ backend: unavailableBackend() });
    tracker.on('error', () => {});
    const registry = new Registry();
    prometheus({ tracker, registry });
    await tracker.track({ channel: 'web', conversationId: 'a' }, { direction: 'inbound' }).catch(() => {});
    const exposed = new Set(parseExposition(await registry.metrics()).map((sample) => sample.name));
    const named = new Set(readFileSync(RULES, 'utf8').match(/\bbotsession_[a-z_]+/g));
    expect(named.size).toBeGreaterThanOrEqual(4);
    for (const name of named) expect(exposed, name).toContain(name);
    await tracker.close();
  });
});
