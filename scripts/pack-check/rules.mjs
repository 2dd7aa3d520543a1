// What a published package must be, beyond what publint and attw check: CONTRIBUTING.md says
// the same in prose. Every function returns a list of problems (empty = fine), each naming the
// package and the field or file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPOSITORY = 'https://github.com/botsession/botsession';

/**
 * Platform SDKs and clients a user's bot owns: a package that uses one declares it as a peer
 * dependency, so the bot's own copy is the one used (a second copy breaks `instanceof`, context
 * typings and shared registries). Extend the list when a package starts using another one.
 */
export const USER_OWNED = [
  '@botsession/core',
  '@line/bot-sdk',
  '@opentelemetry/api',
  '@slack/bolt',
  'botbuilder',
  'bullmq',
  'express',
  'grammy',
  'ioredis',
  'prom-client',
  'telegraf',
  'twilio',
];

/** Whether `version` is inside `^A.B.C` (0.x pins the minor, as npm does) or one of `^… || ^…`. */
function caretIncludes(range, version) {
  const v = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!v) return false;
  const [x, y, z] = v.slice(1).map(Number);
  return range.split('||').some((alternative) => {
    const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(alternative.trim());
    if (!m) return false;
    const [a, b, c] = m.slice(1).map(Number);
    if (a === 0) return x === 0 && y === b && z >= c;
    return x === a && (y > b || (y === b && z >= c));
  });
}

/** package.json fields: metadata the registry page shows, and how dependencies are declared. */
export function packageJsonProblems({ dir, pkg }, workspaces) {
  const problems = [];
  const where = `${pkg.name} (${dir}/package.json)`;
  const need = (ok, message) => {
    if (!ok) problems.push(`${where}: ${message}`);
  };
  need(pkg.license === 'MIT', `license must be "MIT", got ${JSON.stringify(pkg.license)}`);
  need(pkg.type === 'module', `type must be "module" (the packages are ESM-only)`);
  need(typeof pkg.engines?.node === 'string', 'engines.node must say which Node versions it supports');
  // A command-line tool (`bin`) is an application, not a library in the user's bot: it may have
  // no "." export, and it depends on what it runs with (core, ioredis, …) like any application.
  const isTool = pkg.bin !== undefined;
  need(isTool || pkg.exports?.['.'] !== undefined, 'exports must have a "." entry');
  need(Array.isArray(pkg.files) && pkg.files.includes('CHANGELOG.md'), 'files must list CHANGELOG.md');
  need(
    pkg.repository?.url === `git+${REPOSITORY}.git` && pkg.repository?.directory === dir,
    `repository must be { type: "git", url: "git+${REPOSITORY}.git", directory: "${dir}" }`,
  );
  need(
    pkg.homepage === `${REPOSITORY}/tree/main/${dir}#readme`,
    `homepage must be ${REPOSITORY}/tree/main/${dir}#readme`,
  );
  need(pkg.bugs?.url === `${REPOSITORY}/issues`, `bugs.url must be ${REPOSITORY}/issues`);
  need(Array.isArray(pkg.keywords) && pkg.keywords.length > 0, 'keywords must be a non-empty array');
  if (pkg.name.startsWith('@')) {
    need(pkg.publishConfig?.access === 'public', 'publishConfig.access must be "public" (a scoped package)');
  }
  const deps = pkg.dependencies ?? {};
  const peers = pkg.peerDependencies ?? {};
  const devs = pkg.devDependencies ?? {};
  for (const name of isTool ? [] : USER_OWNED) {
    need(
      !(name in deps),
      `${name} must be a peerDependency, not a dependency (the bot's own copy must be used)`,
    );
  }
  for (const [name, range] of Object.entries(peers)) {
    need(name in devs, `peer ${name} must also be a devDependency (the workspace builds and tests with it)`);
    const local = workspaces.find((w) => w.pkg.name === name);
    if (local) {
      need(
        caretIncludes(range, local.pkg.version),
        `peer ${name} must be a caret range that includes ${local.pkg.version}, got ${JSON.stringify(range)}`,
      );
    }
  }
  for (const [name, range] of Object.entries(deps)) {
    const local = workspaces.find((w) => w.pkg.name === name);
    if (!local) continue;
    need(local.pkg.private !== true, `depends on ${name}, which is private and would not be published`);
    need(
      range === local.pkg.version,
      `${name} must be pinned to its version ${local.pkg.version} (changesets keeps it in step), got ${JSON.stringify(range)}`,
    );
  }
  return problems;
}

const FORBIDDEN = [
  [/(^|\/)[^/]*\.tsbuildinfo$|(^|\/)\.tsbuildinfo$/, 'build info'],
  [/\.map$/, 'a source map (maps are not shipped: their sources are not in the tarball)'],
  [/(^|\/)(test|tests|__tests__|fixtures)\//, 'a test file'],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test file'],
];

/** The tarball's file list (from `npm pack --json`) and its unpacked text files. */
export function tarballProblems({ pkg }, files, unpackedDir, root) {
  const problems = [];
  const paths = files.map((f) => f.path);
  for (const required of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (!paths.includes(required)) problems.push(`${pkg.name}: the tarball has no ${required}`);
  }
  for (const path of paths) {
    for (const [pattern, what] of FORBIDDEN) {
      if (pattern.test(path)) problems.push(`${pkg.name}: ${path} is ${what}`);
    }
    if (/\.[cm]?js$/.test(path) && /\/\/# sourceMappingURL=/.test(read(unpackedDir, path))) {
      problems.push(`${pkg.name}: ${path} points at a source map that is not shipped`);
    }
  }
  if (paths.includes('LICENSE') && read(unpackedDir, 'LICENSE') !== read(root, 'LICENSE')) {
    problems.push(`${pkg.name}: LICENSE differs from the repository's LICENSE`);
  }
  if (paths.includes('README.md'))
    problems.push(...readmeLinkProblems(pkg.name, read(unpackedDir, 'README.md'), root));
  return problems;
}

function read(dir, path) {
  return readFileSync(join(dir, path), 'utf8');
}

/**
 * The registry shows the README without the repository's files: links and images must be
 * absolute, and the ones into this repository must name a file or folder that exists.
 */
export function readmeLinkProblems(name, readme, root) {
  const problems = [];
  const targets = [
    ...[...readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]),
    ...[...readme.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]),
  ];
  const prefix = new RegExp(`^${REPOSITORY.replace(/[.]/g, '\\.')}/(?:blob|tree|raw)/main/([^#?]*)`);
  for (const target of targets) {
    if (target.startsWith('#') || target.startsWith('mailto:')) continue;
    if (!/^https?:\/\//.test(target)) {
      problems.push(
        `${name}: README link ${target} is relative (it breaks on the registry's page); use ${REPOSITORY}/blob/main/...`,
      );
      continue;
    }
    const inRepo = prefix.exec(target);
    if (inRepo && !existsSync(join(root, decodeURIComponent(inRepo[1])))) {
      problems.push(`${name}: README link ${target} names ${inRepo[1]}, which is not in the repository`);
    }
  }
  return problems;
}
