// A package's usage snippet is the first ```ts block of its README, exactly as the registry
// shows it. An HTML comment right before the block (invisible on the page) may tell the check
//   run: no (why)        the snippet needs a live platform: type-checked only
//   env: NAME=value      a placeholder for a variable the snippet reads (default: 40+ characters)
// and any other line is TypeScript put before the snippet (`declare const adapter: ...`) for
// what the README leaves to the reader's bot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's snippet with its directives: `{ code, prelude, run, why, env }`, or undefined
 * when the README has no ```ts block.
 */
export function readSnippet(root, dir) {
  const readme = readFileSync(join(root, dir, 'README.md'), 'utf8');
  const fence = /^```(?:ts|typescript)\n([\s\S]*?)^```/m.exec(readme);
  if (!fence) return undefined;
  const before = readme.slice(0, fence.index).trimEnd();
  const directive = /<!--\s*pack-check\b([\s\S]*?)-->$/.exec(before);
  const snippet = { code: fence[1], prelude: [], run: true, why: '', env: {} };
  for (const line of (directive?.[1] ?? '').split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const run = /^run:\s*(yes|no)\b\s*(.*)$/.exec(line);
    const env = /^env:\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (run) {
      snippet.run = run[1] === 'yes';
      snippet.why = run[2].replace(/^\((.*)\)$/, '$1');
    } else if (env) {
      snippet.env[env[1]] = env[2];
    } else {
      snippet.prelude.push(line);
    }
  }
  return snippet;
}

/** The bare package names a snippet (and its prelude) imports, `node:` builtins left out. */
export function importsOf(snippet) {
  const text = [...snippet.prelude, snippet.code].join('\n');
  const names = new Set();
  for (const m of text.matchAll(/\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('node:') || spec.startsWith('.')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names];
}

/** Placeholder values for every `process.env.NAME` the snippet reads (long enough for any secret check). */
export function envFor(snippet) {
  const env = {};
  for (const m of snippet.code.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g)) {
    env[m[1]] = `pack-check-placeholder-${m[1].toLowerCase()}`.padEnd(48, '-x');
  }
  return { ...env, ...snippet.env };
}

/**
 * The snippet as an ES module: the prelude, then the README's code unchanged.
 */
export function asEsm(snippet) {
  return `${snippet.prelude.join('\n')}\n${snippet.code}\nexport {};\n`;
}

/** A statement at the snippet's top level that awaits (`await x`, `const y = await x`). */
const TOP_LEVEL_AWAIT = /^(?:(?:const|let|var)\s+[^=]+=\s*)?await\b/;

/**
 * The snippet as a CommonJS module: TypeScript turns the imports into `require`. CommonJS has
 * no top-level await, so a snippet that has one runs inside an async function, its imports and
 * declarations left at the top: the one change a CommonJS reader makes when pasting it.
 */
export function asCommonJs(snippet) {
  const lines = [...snippet.prelude, ...snippet.code.split('\n')];
  if (!lines.some((line) => TOP_LEVEL_AWAIT.test(line))) return `${lines.join('\n')}\n`;
  const top = [];
  const body = [];
  let inImport = false;
  for (const line of lines) {
    if (inImport || /^import\s/.test(line)) {
      top.push(line);
      inImport = !/;\s*(\/\/.*)?$/.test(line);
    } else if (/^declare\s|^(export\s+)?(type|interface)\s/.test(line)) {
      top.push(line);
    } else {
      body.push(line);
    }
  }
  return `${top.join('\n')}\n\nvoid (async () => {\n${body.join('\n')}\n})();\n`;
}
