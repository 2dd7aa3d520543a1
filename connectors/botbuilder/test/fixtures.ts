import { readFileSync } from 'node:fs';
import type { Activity } from 'botbuilder';

/**
 * A fresh copy of a Bot Framework activity fixture (shapes from the Bot Framework Activity
 * spec and Web Chat / Direct Line / Teams captures). Fresh, because adapters mutate the
 * activities they process.
 */
export function fixture(name: string, overrides: Partial<Activity> = {}): Activity {
  const url = new URL(`./fixtures/botframework/${name}.json`, import.meta.url);
  return { ...(JSON.parse(readFileSync(url, 'utf8')) as Activity), ...overrides };
}
