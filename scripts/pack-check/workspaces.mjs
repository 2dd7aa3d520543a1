// The packages the pack check looks at: every workspace of the root package.json that is not
// private. Found from the `workspaces` globs, so a package added on another branch is checked
// as soon as it is merged, with nothing to register.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Expands the root's `workspaces` entries (`dir` or `dir/*`) into workspace directories. */
function workspaceDirs(root) {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const entry of readdirSync(join(root, parent), { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
      }
    } else if (!pattern.includes('*')) {
      dirs.push(pattern);
    } else {
      throw new Error(
        `pack check: workspace pattern ${pattern} is neither "dir" nor "dir/*"; teach workspaces.mjs`,
      );
    }
  }
  return dirs.filter((dir) => existsSync(join(root, dir, 'package.json')));
}

/**
 * Every workspace, as `{ dir, pkg }` (`pkg` = its package.json); `publicOnly` keeps the ones
 * without `"private": true`, the packages that get published.
 */
export function findWorkspaces(root, { publicOnly = false } = {}) {
  const all = workspaceDirs(root).map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')),
  }));
  return publicOnly ? all.filter(({ pkg }) => pkg.private !== true) : all;
}
