#!/usr/bin/env node
// The pack check (part of `npm test`; alone: `node scripts/pack-check.mjs` after `npm run build`).
// It treats every public workspace the way a new user meets it: packed with `npm pack`,
// linted as a tarball (publint, @arethetypeswrong), installed from the tarballs into a
// scratch project beside the newest SDK releases its peer ranges allow, each README's usage
// snippet type-checked and run there, as an ES module and as CommonJS, and the Redis backend
// run on that project's ioredis and BullMQ. It prints its time; the budget is two minutes.
// The scratch project stays in $TMPDIR/botsession-pack-check/ (its path is printed);
// PACK_CHECK_KEEP=1 also keeps the tarballs.
// PACK_CHECK_PEERS=oldest installs the oldest release each peer range allows instead of the
// newest (run by hand when a peer range's floor changes).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { eachLimited, run, splitTypeErrors } from './pack-check/process.mjs';
import { packageJsonProblems, tarballProblems } from './pack-check/rules.mjs';
import {
  besideOurs,
  installScratchProject,
  oldestReleases,
  prepareScratchProject,
  versionIn,
} from './pack-check/scratch-project.mjs';
import { asCommonJs, asEsm, envFor, readSnippet } from './pack-check/snippets.mjs';
import { checkTypes } from './pack-check/types-check.mjs';
import { findWorkspaces } from './pack-check/workspaces.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const say = (message) => console.log(`-- [${seconds()}s] ${message}`);
const detail = (message) => console.log(`     ${message}`);
const problems = [];

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a switch for this script, not a turbo task input
const peerOldest = process.env.PACK_CHECK_PEERS === 'oldest';
const slug = (name) => name.replace(/^@/, '').replace(/\//g, '-');
const scratch = mkdtempSync(join(tmpdir(), 'botsession-pack-check-'));
/** The redis-server the snippets and the Redis step use, once started. */
let redis;
/** The scratch project, and how to let it go at the end. */
let project;
let releaseProject = () => {};

try {
  const workspaces = findWorkspaces(root);
  const packages = workspaces.filter(({ pkg }) => pkg.private !== true);
  say(`packages: ${packages.length} public workspaces (every workspace without "private": true)`);
  detail(packages.map(({ pkg }) => pkg.name).join(', '));
  const unbuilt = packages.filter(
    ({ dir, pkg }) => !existsSync(join(root, dir, pkg.types ?? pkg.main ?? 'dist')),
  );
  if (unbuilt.length) {
    throw new Error(`not built: ${unbuilt.map((w) => w.pkg.name).join(', ')}; run npm run build first`);
  }

  say('npm pack: one tarball per package, into a scratch directory');
  const packDir = join(scratch, 'tarballs');
  mkdirSync(packDir);
  const packed = await run(
    'npm',
    ['pack', '--json', '--pack-destination', packDir, ...packages.flatMap(({ pkg }) => ['-w', pkg.name])],
    { cwd: root },
  );
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const tarballs = new Map(JSON.parse(packed.stdout).map((t) => [t.name, t]));
  for (const { pkg } of packages) {
    const t = tarballs.get(pkg.name);
    detail(`${t.filename}: ${t.entryCount} files, ${(t.size / 1024).toFixed(1)} kB packed`);
  }

  say('contents and package.json: LICENSE, README, CHANGELOG; no maps, build info or tests; metadata; peers');
  for (const workspace of packages) {
    const t = tarballs.get(workspace.pkg.name);
    const unpacked = join(scratch, 'unpacked', slug(workspace.pkg.name));
    mkdirSync(unpacked, { recursive: true });
    const untar = await run('tar', [
      '-xzf',
      join(packDir, t.filename),
      '-C',
      unpacked,
      '--strip-components=1',
    ]);
    if (untar.code !== 0) throw new Error(`tar failed on ${t.filename}: ${untar.stderr}`);
    problems.push(
      ...packageJsonProblems(workspace, workspaces),
      ...tarballProblems(workspace, t.files, unpacked, root),
    );
  }

  say('publint on each tarball (strict: warnings count as problems)');
  for (const { pkg } of packages) {
    const tarball = readFileSync(join(packDir, tarballs.get(pkg.name).filename));
    const result = await publint({
      pack: { tarball: new Uint8Array(tarball).buffer },
      level: 'suggestion',
      strict: true,
    });
    for (const message of result.messages) {
      const text = `${pkg.name}: publint ${message.type}: ${formatMessage(message, result.pkg, { color: false })}`;
      if (message.type === 'suggestion') detail(text);
      else problems.push(text);
    }
  }

  // attw (its engine, @arethetypeswrong/core, in this process: TypeScript loads once) runs
  // while npm installs the scratch project: one waits on the CPU, the other mostly on npm.
  say('@arethetypeswrong on each tarball, while the scratch project installs');
  const attw = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 200)); // let npm install start first
    return packages.map(({ pkg }) => {
      const tarball = readFileSync(join(packDir, tarballs.get(pkg.name).filename));
      return checkTypes(pkg.name, new Uint8Array(tarball));
    });
  })();

  const scratchProject = prepareScratchProject(root);
  ({ project } = scratchProject);
  releaseProject = scratchProject.temporary
    ? () => rmSync(project, { recursive: true, force: true })
    : scratchProject.release;
  if (scratchProject.temporary)
    detail('another pack check is using the kept scratch project: this one uses a new one');
  const readmes = packages.map(({ dir, pkg }) => ({
    name: pkg.name,
    file: slug(pkg.name),
    snippet: readSnippet(root, dir),
  }));
  const snippets = readmes.filter((s) => s.snippet);
  for (const { name } of readmes.filter((s) => !s.snippet))
    detail(`${name}: its README has no \`\`\`ts block: no snippet to check`);
  const ours = new Set(packages.map(({ pkg }) => pkg.name));
  const tarballPaths = new Map(
    packages.map(({ pkg }) => [pkg.name, join(packDir, tarballs.get(pkg.name).filename)]),
  );
  const newest = besideOurs(
    packages,
    snippets.map((s) => s.snippet),
  );
  const peerNames = [
    ...new Set(packages.flatMap(({ pkg }) => Object.keys(pkg.peerDependencies ?? {}))),
  ].filter((name) => !ours.has(name));
  const wanted = peerOldest ? await oldestReleases(newest, peerNames) : newest;
  detail(
    `in ${project}: npm install <${tarballPaths.size} tarballs> ${[...wanted].map(([n, r]) => `${n}@${r}`).join(' ')}`,
  );
  const install = await installScratchProject(project, tarballPaths, wanted);
  for (const { name, problems: found } of await Promise.all(await attw)) {
    problems.push(...found);
    detail(
      `${name}: attw ${found.length ? `${found.length} problem(s)` : 'ok (node16 from ESM and CommonJS, bundler)'}`,
    );
  }
  if (install.code !== 0) throw new Error(`npm install in the scratch project failed:\n${install.stderr}`);
  const versionOf = (name) => versionIn(project, name);
  say(`installed beside: ${[...wanted.keys()].map((name) => `${name}@${versionOf(name)}`).join(', ')}`);
  for (const name of ours) {
    // The tarball's copy, never one from the registry: one copy of each, at the top.
    if (versionOf(name) !== packages.find((w) => w.pkg.name === name).pkg.version) {
      problems.push(`${name}: the scratch project installed ${versionOf(name)}, not the tarball`);
    }
  }
  for (const { pkg } of packages) {
    // A peer is the bot's copy: none may sit nested inside the package (the issue's second telegraf).
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
      if (existsSync(join(project, 'node_modules', pkg.name, 'node_modules', peer))) {
        problems.push(`${pkg.name}: a second ${peer} was installed inside it, beside the project's own`);
      }
    }
  }

  say('README snippets: type-check with the root tsc, as ES modules and as CommonJS (module nodenext)');
  // Our .d.ts files are checked against the installed SDKs (ioredis 6 included) once, in the
  // ESM project; the CommonJS one skips library files, as most projects do, to halve the time.
  const kinds = [
    // With PACK_CHECK_PEERS=oldest, old SDK typings may not compile under TypeScript 7 (botbuilder
    // 4.22's do not): library files are skipped there, our own were checked against the newest.
    { kind: 'esm', type: 'module', render: asEsm, skipLibCheck: peerOldest },
    { kind: 'cjs', type: 'commonjs', render: asCommonJs, skipLibCheck: true },
  ];
  for (const { kind, type, render, skipLibCheck } of kinds) {
    const dir = join(project, kind);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
    const compilerOptions = {
      module: 'nodenext',
      target: 'es2022',
      strict: true,
      skipLibCheck,
      types: ['node'],
      moduleDetection: 'force',
      rootDir: '.',
      outDir: 'dist',
    };
    writeFileSync(
      join(dir, 'tsconfig.json'),
      `${JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2)}\n`,
    );
    for (const { file, snippet } of snippets) writeFileSync(join(dir, `${file}.ts`), render(snippet));
  }
  const compiled = await Promise.all(
    kinds.map(({ kind }) => run(bin('tsc'), ['-p', kind], { cwd: project })),
  );
  kinds.forEach(({ kind }, i) => {
    const { code, stdout, stderr } = compiled[i];
    const { ours: mine, theirs } = splitTypeErrors(stdout);
    if (code !== 0 && (mine.length || !theirs.length)) {
      problems.push(`README snippets do not type-check as ${kind}:\n${stdout}${stderr}`);
      return;
    }
    detail(`${kind}: ${snippets.length} snippets type-check`);
    // An SDK whose own typings do not compile is not ours to fix; say so, and go on.
    for (const error of theirs) detail(`${kind}: not ours, in an SDK's own typings: ${error}`);
  });

  // One Redis server for the snippets that need a store (REDIS_URL) and for the Redis step below.
  const hasRedis = (await run('redis-server', ['--version'])).code === 0;
  if (!hasRedis) problems.push('redis-server is not installed: nothing ran on Redis (npm test installs it)');
  else redis = await (await import('../test/dist/support/redis-server.js')).startRedis();

  say('README snippets: run with placeholder secrets (a fixed listen port becomes a free one)');
  const preload = pathToFileURL(join(root, 'scripts', 'pack-check', 'free-port.mjs')).href;
  const runs = [];
  for (const { name, file, snippet } of snippets) {
    if (!snippet.run) {
      detail(`${name}: type-checked only (${snippet.why || 'needs a live platform'})`);
      continue;
    }
    for (const { kind } of kinds) runs.push({ name, file, snippet, kind });
  }
  await eachLimited(runs, 4, async ({ name, file, snippet, kind }) => {
    const result = await run('node', ['--import', preload, join('dist', `${file}.js`)], {
      cwd: join(project, kind),
      env: { ...process.env, ...envFor(snippet), ...(redis ? { REDIS_URL: redis.url } : {}) },
      untilOutput: /^pack-check: listening/m,
      // A bot that neither listens nor ends (an express app not yet listening, a store client)
      // passes once it has run this long without failing.
      settleMs: 4_000,
      timeoutMs: 20_000,
    });
    const stopped = result.stoppedOnOutput || result.settled;
    const ok = result.code === 0 || (stopped && result.signal === 'SIGTERM');
    if (!ok) {
      problems.push(
        `${name}: the README snippet failed as ${kind} (exit ${result.code ?? result.signal}):\n${result.stdout}${result.stderr}`,
      );
    } else {
      const how = result.stoppedOnOutput
        ? 'started and listened, then stopped'
        : result.settled
          ? 'still running after 4 s without an error, then stopped'
          : 'ran to completion';
      detail(`${name} (${kind}): ${how}`);
    }
  });

  // A command-line package's snippet is a shell line: its commands, installed from the tarball,
  // must start and answer --help (the shebang, the executable bit, its dependencies).
  const tools = packages.flatMap(({ pkg }) =>
    Object.keys(typeof pkg.bin === 'string' ? { [pkg.name.split('/').pop()]: pkg.bin } : (pkg.bin ?? {})).map(
      (command) => ({ name: pkg.name, command }),
    ),
  );
  if (tools.length)
    say(`commands: ${tools.map((t) => t.command).join(', ')} --help, installed from the tarballs`);
  for (const { name, command } of tools) {
    const help = await run(join(project, 'node_modules', '.bin', command), ['--help'], {
      cwd: project,
      timeoutMs: 30_000,
    });
    if (help.code !== 0)
      problems.push(
        `${name}: \`${command} --help\` failed (exit ${help.code ?? help.signal}):\n${help.stdout}${help.stderr}`,
      );
    else detail(`${name}: ${command} --help: ${help.stdout.split('\n')[0]}`);
  }

  // The user's way to Redis: a URL, so core's clients come from the project's own ioredis.
  if (redis) {
    say("Redis backend from the tarball, by URL, on the scratch project's ioredis and BullMQ");
    copyFileSync(
      join(root, 'scripts', 'pack-check', 'redis-smoke.mjs'),
      join(project, 'esm', 'redis-smoke.mjs'),
    );
    const smoke = await run('node', ['redis-smoke.mjs', redis.url], {
      cwd: join(project, 'esm'),
      timeoutMs: 30_000,
    });
    const versions = `ioredis ${versionOf('ioredis')}, bullmq ${versionOf('bullmq')}`;
    if (smoke.code !== 0)
      problems.push(`the Redis backend failed on ${versions}:\n${smoke.stdout}${smoke.stderr}`);
    else detail(`${versions}: ${smoke.stdout.trim()}`);
  }
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  await redis?.destroy();
  releaseProject();
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a switch for this script, not a turbo task input
  if (process.env.PACK_CHECK_KEEP === '1') console.log(`   tarballs kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

const took = Number(seconds());
if (problems.length) {
  console.log(`\npack check: ${problems.length} problem(s) in ${took}s`);
  for (const problem of problems) console.log(`  ✗ ${problem}`);
  process.exitCode = 1;
} else {
  console.log(
    `\npack check passed in ${took}s${took > 120 ? ' (over the two-minute budget: look at what got slow)' : ''}`,
  );
}
