// The scratch project a new user's bot stands for: our tarballs installed beside the SDKs.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * our packages, the lockfiles (so every SDK is resolved again), the snippet projects. A second
 * check running at the same time on the same checkout gets a project of its own (`temporary`).
 */
export function prepareScratchProject(root) {
  const project = join(
    tmpdir(),
    'botsession-pack-check',
    createHash('sha1').update(root).digest('hex').slice(0, 12),
  );
  mkdirSync(project, { recursive: true });
  const lock = join(project, 'in-use-by');
  if (!takeLock(lock)) {
    return { project: mkdtempSync(join(tmpdir(), 'botsession-pack-check-project-')), temporary: true };
  }
  for (const stale of [
    'esm',
    'cjs',
    'package-lock.json',
    'node_modules/.package-lock.json',
    'node_modules/@botsession',
  ]) {
    rmSync(join(project, stale), { recursive: true, force: true });
  }
  return { project, temporary: false, release: () => rmSync(lock, { force: true }) };
}

/** Creates `lock` holding our pid, unless a live process holds it. */
function takeLock(lock) {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    try {
      process.kill(holder, 0); // still running: the lock is theirs
      return false;
    } catch {
      writeFileSync(lock, String(process.pid)); // a check that died left it
      return true;
    }
  }
}

/**
 * What goes beside our packages, name → spec: every peer of theirs that is not ours (its range:
 * npm installs the newest release it allows), what the snippets import (newest, with its
 * DefinitelyTyped types), and @types/node for the oldest Node the packages support.
 */
export function besideOurs(packages, snippets) {
  const ours = new Set(packages.map(({ pkg }) => pkg.name));
  const wanted = new Map();
  for (const { pkg } of packages) {
    for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
      if (!ours.has(name) && !wanted.has(name)) wanted.set(name, range);
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

/**
 * The same with each peer pinned to the oldest release its range allows (one `npm view` per
 * peer: a range's floor, `^1.0.0`, need not be a release).
 */
export async function oldestReleases(wanted, peerNames) {
  const pinned = new Map(wanted);
  for (const name of peerNames) {
    const viewed = await run('npm', ['view', `${name}@${wanted.get(name)}`, 'version', '--json']);
    if (viewed.code !== 0) throw new Error(`npm view ${name}@${wanted.get(name)} failed:\n${viewed.stderr}`);
    const numbers = (v) => v.split(/[.-]/).slice(0, 3).map(Number);
    const versions = [JSON.parse(viewed.stdout)].flat(); // one version, or several in no set order
    versions.sort((a, b) => {
      const [x, y] = [numbers(a), numbers(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
    pinned.set(name, versions[0]);
  }
  return pinned;
}

/** The version of a package installed at the top of the project. */
export function versionIn(project, name) {
  return JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')).version;
}
