// The scratch project a new user's bot stands for: our tarballs installed beside the SDKs.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './process.mjs';
import { importsOf } from './snippets.mjs';

/** Snippet imports whose types live on DefinitelyTyped. */
const TYPES_OF = { express: '@types/express' };

/**
 * Where the project lives: kept between runs, outside the repository (under it, Node and tsc
 * would find the workspace's own node_modules), one per checkout. Reusing its node_modules
 * saves extracting ~200 MB of SDKs every time; what a run must not inherit is removed here:
 * our packages, the lockfiles (so every SDK is resolved again), the snippet projects.
 */
export function prepareScratchProject(root) {
  const project = join(
    tmpdir(),
    'botsession-pack-check',
    createHash('sha1').update(root).digest('hex').slice(0, 12),
  );
  for (const stale of [
    'esm',
    'cjs',
    'package-lock.json',
    'node_modules/.package-lock.json',
    'node_modules/@botsession',
  ]) {
    rmSync(join(project, stale), { recursive: true, force: true });
  }
  mkdirSync(project, { recursive: true });
  return project;
}

/** The floor of a range: `^4.15.0` → `4.15.0`, `^5.9.2 || ^6` → `5.9.2`. */
const floorOf = (range) => /\d+\.\d+\.\d+/.exec(range)?.[0] ?? range;

/**
 * What goes beside our packages, name → spec: every peer of theirs that is not ours (the newest
 * release its range allows, or with `oldest` its floor), what the snippets import (newest, with
 * its DefinitelyTyped types), and @types/node for the oldest Node the packages support.
 */
export function besideOurs(packages, snippets, { oldest = false } = {}) {
  const ours = new Set(packages.map(({ pkg }) => pkg.name));
  const wanted = new Map();
  for (const { pkg } of packages) {
    for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
      if (!ours.has(name) && !wanted.has(name)) wanted.set(name, oldest ? floorOf(range) : range);
    }
  }
  for (const snippet of snippets) {
    for (const name of importsOf(snippet)) {
      if (ours.has(name) || wanted.has(name)) continue;
      wanted.set(name, 'latest');
      if (TYPES_OF[name]) wanted.set(TYPES_OF[name], 'latest');
    }
  }
  wanted.set('@types/node', '20'); // engines: node >= 20.19
  return wanted;
}

/**
 * Installs the tarballs (`name → path`) and `wanted` into the project. The SDKs are named on
 * the command line, so npm resolves each again to the newest release in range even when an
 * older one is already there; what package.json no longer lists is pruned.
 */
export function installScratchProject(project, tarballs, wanted) {
  const dependencies = Object.fromEntries([
    ...[...tarballs].map(([name, path]) => [name, `file:${path}`]),
    ...wanted,
  ]);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'scratch-bot', private: true, dependencies }, null, 2)}\n`,
  );
  const specs = [...wanted].map(([name, range]) => `${name}@${range}`);
  // --ignore-scripts: none of ours has one, and an SDK's optional native build is not what is checked.
  const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'];
  return run('npm', ['install', ...flags, ...tarballs.values(), ...specs], { cwd: project });
}

/** The version of a package installed at the top of the project. */
export function versionIn(project, name) {
  return JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')).version;
}
