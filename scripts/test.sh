#!/usr/bin/env bash
# The one test command (`npm test`): installs what the tests need, builds, lints,
# typechecks, checks the packages as published (the pack check) and runs every test.
# Says what it does at each step.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need_apt+=(redis-tools)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus) # promtool checks the metrics' text
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing system packages the tests need: ${need_apt[*]} (apt-get)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "not root: install ${need_apt[*]} yourself (apt-get install -y ${need_apt[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
say "redis-server: $(redis-server --version | cut -d' ' -f3), chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"

say "build: tsc -b through turbo"
npm run build

say "lint and format check: biome"
npx biome check .

say "typecheck tests and examples: tsc -p tsconfig.check.json"
npx tsc -p tsconfig.check.json

say "pack check: npm pack every public package; publint and attw on each tarball; install them into scratch ESM and CommonJS projects beside the newest SDK releases; type-check and run each README's snippet there (scripts/pack-check.mjs)"
pack_status=0
node scripts/pack-check.mjs || pack_status=$?

say "tests: vitest (Redis servers are started by the tests themselves on free ports)"
report=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line with the counts, whatever the reporter printed above.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || true
rm -f "$report"
[ "$pack_status" -eq 0 ] || echo "pack check failed: see its problems above"
[ "$status" -ne 0 ] && exit "$status"
exit "$pack_status"
