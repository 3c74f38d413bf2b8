#!/usr/bin/env bash
# The test command: a private in-memory Azurite on free ports, `dotnet test` over the solution,
# Azurite stopped even on failure, and one summary line `tests: N passed, N failed, N skipped`.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
cd "$ROOT" || exit 1

ensure_npm || { echo "npm install failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
# Tools some tests run, from Debian's packages, installed when missing (CI starts without them): shellcheck (over the
# scripts) and chromium (headless, the dashboard's browser test drives it through playwright-core).
install_debian() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" ||
    { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1"; }; } >/dev/null 2>&1
}
command -v shellcheck >/dev/null || install_debian shellcheck || echo "shellcheck could not be installed (Debian package shellcheck): its test will fail"
[ -x /usr/bin/chromium ] || install_debian chromium || echo "chromium could not be installed (Debian package chromium): the dashboard's browser test will fail"
trap stop_azurite EXIT
start_private_azurite || { echo "tests: 0 passed, 1 failed"; exit 1; }
echo "Azurite (in memory) for this run: ${AZURITE_CONNECTION_STRING//$AZURITE_KEY/<key>}"

results=$(mktemp -d)
dotnet test IndicatorFunctions.sln --nologo -c Release \
  --logger "trx;LogFilePrefix=results" --results-directory "$results" "$@"
status=$?

# Sum the counters of every test project's TRX file: the one number CI reads.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed)))
  skipped=$((skipped + $(get notExecuted)))
done
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited $status (build failure or test host crash)"
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
