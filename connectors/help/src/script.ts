import { readFile } from 'node:fs/promises';

// Built by tsconfig.browser.json beside this module's output: dist/browser/tracker.js.
const SCRIPT_URL = new URL('./browser/tracker.js', import.meta.url);

let source: Promise<string> | undefined;

/** The browser tracker's source, read once per process. */
export function trackerScript(): Promise<string> {
  source ??= readFile(SCRIPT_URL, 'utf8').catch((error) => {
    source = undefined;
    throw error;
  });
  return source;
}
