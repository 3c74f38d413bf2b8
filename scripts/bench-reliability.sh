#!/usr/bin/env bash
# Reliability benchmark (not a test): the real app (Release, local mode, as in bench-app.sh) and a private Azurite with
# disk persistence (--location, so it can be killed and restarted with its data), both started, paused, killed and
# restarted by the C# program (IndicatorFunctions.Bench reliability, ReliabilityBenchmark.cs) on fixed free ports.
#  1. Load the synthetic data through the API, a full run, and a snapshot of every aggregate through the API (every
#     series, cross-section and cluster rollup).
#  2. Idle: BENCH_READERS (200) concurrent readers on random aggregate URLs for BENCH_READ_SECONDS; a full run alone.
#  3. Scenarios, each after revising a different 1% of the points, under the readers: a full run; storage paused
#     (SIGSTOP, BENCH_PAUSE_SECONDS) mid-run; storage killed (SIGKILL) mid-run and restarted; the app killed mid-run
#     and restarted. After a fault: a follow-up run (retried while 409/503), then a clean full run; every aggregate
#     served after the follow-up must equal the clean run's, and every 200 a reader got must equal the snapshot of
#     the run it names.
# Prints one summary block (PASS/FAIL per scenario); exits 1 when an aggregate comparison fails.
# Smoke run (about 3 minutes, one of them the run lock's 60 s lease lapsing after the app is killed):
#   BENCH_OBSERVATIONS=2000 BENCH_READ_SECONDS=3 BENCH_PAUSE_SECONDS=5 bash scripts/bench-reliability.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
cd "$ROOT"

export BENCH_OBSERVATIONS=${BENCH_OBSERVATIONS:-20000}
export BENCH_DISTRICTS=${BENCH_DISTRICTS:-50} BENCH_YEARS=${BENCH_YEARS:-20} BENCH_SECTORS=${BENCH_SECTORS:-1} BENCH_SEED=${BENCH_SEED:-42}
export BENCH_READERS=${BENCH_READERS:-200} BENCH_READ_SECONDS=${BENCH_READ_SECONDS:-15} BENCH_PAUSE_SECONDS=${BENCH_PAUSE_SECONDS:-15}
export BENCH_MID_FRACTION=${BENCH_MID_FRACTION:-0.4}

ensure_npm
echo "building (Release)..."
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-reliability.XXXXXX")
export BENCH_WORK=$WORK BENCH_AZURITE=$ROOT/node_modules/.bin/azurite
export BENCH_APP_DIR=$ROOT/functions/IndicatorFunctions/bin/Release/net10.0
export BENCH_AZURITE_VERSION
BENCH_AZURITE_VERSION=$(node -p 'require("./node_modules/azurite/package.json").version')
# The C# program ends its processes; should it die first, end what it left (by the pids it recorded).
cleanup() {
  local f
  for f in "$WORK"/*.pid; do
    [ -e "$f" ] || continue
    kill -CONT "$(cat "$f")" 2>/dev/null || true
    kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  echo "logs: $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dotnet bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll reliability
