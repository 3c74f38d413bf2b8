#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_app takes extra settings (NAME=value)
# Fan-out benchmark (not a test): a full run split into one work item per indicator on the aggregation-work queue
# (setting AggregationFanOut), done by N app processes in local mode (see bench-app.sh) on one private in-memory
# Azurite.
#  1. Load the synthetic data set (IndicatorFunctions.Bench pipeline load: BENCH_OBSERVATIONS, BENCH_DISTRICTS,
#     BENCH_YEARS, BENCH_SECTORS, BENCH_SEED, as scripts/bench-pipeline.sh) through one app's HTTP API.
#  2. Baseline: one fresh process, fan-out off, a full run in process.
#  3. For N in BENCH_WORKERS (default "1 2 4"): N fresh processes with AggregationFanOut=true; the first coordinates
#     (it holds the run lock, sends the items, waits for the last one, commits) and works too; a full run:
#     POST /api/runs?wait=true {"full":true} on it (IndicatorFunctions.Bench fanout), its wall time, and each
#     worker's share from the run ledger: items, observations read, busy seconds, CPU seconds of its process.
# Prints one summary block. Read it knowing the machine: every process and Azurite share its cores, and Azurite
# serves every request on one thread, so N beyond the cores (and beyond Azurite's one thread) cannot go faster here.
# Small smoke run (< 1 minute):  BENCH_OBSERVATIONS=4000 bash scripts/bench-fanout.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-app.sh"
cd "$ROOT"

export BENCH_OBSERVATIONS=${BENCH_OBSERVATIONS:-100000}
export BENCH_DISTRICTS=${BENCH_DISTRICTS:-50} BENCH_YEARS=${BENCH_YEARS:-20} BENCH_SECTORS=${BENCH_SECTORS:-1} BENCH_SEED=${BENCH_SEED:-42}
export BENCH_BODY_ROWS=${BENCH_BODY_ROWS:-5000} BENCH_ADMIN_KEY=bench
WORKERS=${BENCH_WORKERS:-1 2 4}
APP_DIR=$ROOT/functions/IndicatorFunctions/bin/Release/net10.0
BENCH_DLL=$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll

ensure_npm
echo "building (Release)..."
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-fanout.XXXXXX")
export AZURITE_LOG=$WORK/azurite.log
PIDS=()
stop_apps() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
  APP_PID=
}
# "|| true": a process that already died must not stop the cleanup under set -e.
cleanup() { stop_apps || true; stop_azurite || true; echo "logs: $WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# N app processes; the first one's URL is the coordinator's. Sets PIDS and BENCH_APP_URL.
start_apps() { # count fanOut
  local i url=""
  for ((i = 0; i < $1; i++)); do
    start_app AggregationFanOut="$2"
    PIDS+=("$APP_PID")
    [ -n "$url" ] || url=$BENCH_APP_URL
  done
  export BENCH_APP_URL=$url BENCH_APP_PIDS
  BENCH_APP_PIDS=$(IFS=,; echo "${PIDS[*]}")
}

field() { echo "$1" | grep -o "\"$2\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
run_full() { # label
  local out
  out=$(dotnet "$BENCH_DLL" fanout)
  echo "  $1: $out" >&2
  [ "$(field "$out" status)" = succeeded ] || { echo "run failed: $out" >&2; exit 1; }
  echo "$out"
}

start_private_azurite
export BENCH_AZURITE_PID=$AZURITE_PID BENCH_CONNECTION_STRING=$AZURITE_CONNECTION_STRING
echo "== load: $BENCH_OBSERVATIONS observations ==" >&2
start_apps 1 false
LOAD=$(dotnet "$BENCH_DLL" pipeline load)
echo "  load: $LOAD" >&2
stop_apps
# Every run below starts from fresh processes (JIT included), the baseline too.
echo "== in process (fan-out off), 1 process ==" >&2
start_apps 1 false
BASELINE=$(run_full "in process")
stop_apps

declare -A RESULT
for n in $WORKERS; do
  echo "== fanned out, $n process(es) ==" >&2
  start_apps "$n" true
  RESULT[$n]=$(run_full "$n process(es)")
  stop_apps
done

# ---- summary ----
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
shares() { # JSON of one run -> one line per worker
  echo "$1" | grep -o '{"worker":[^}]*}' | while read -r w; do
    printf '    %-34s %s  %4s items  %8s observations  busy %7s s  CPU %6s s\n' "$(field "$w" worker)" \
      "$([ "$(field "$w" coordinator)" = true ] && echo "(coordinator)" || echo "             ")" \
      "$(field "$w" items)" "$(field "$w" observationsRead)" "$(field "$w" busySeconds)" "$(field "$w" cpuSeconds)"
  done
}
base_wall=$(field "$BASELINE" wallSeconds)
{
  echo
  echo "================ IndicatorFunctions fan-out benchmark ================"
  echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); .NET $(dotnet --version), Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory (one thread)"
  echo "data: $(field "$LOAD" observations) observations = $(field "$LOAD" indicators) indicators (= work items) x $BENCH_DISTRICTS districts x $((1 + BENCH_SECTORS)) series x $BENCH_YEARS years; $(field "$LOAD" clusters) clusters; seed $BENCH_SEED"
  echo "in process (fan-out off, 1 process): wall $base_wall s; $(field "$BASELINE" entitiesWritten) entities written = $(field "$BASELINE" entitiesPerSecond)/s; CPU: app $(field "$BASELINE" appCpuSeconds) s, Azurite $(field "$BASELINE" azuriteCpuSeconds) s"
  for n in $WORKERS; do
    r=${RESULT[$n]}
    echo "fanned out, $n process(es): wall $(field "$r" wallSeconds) s ($(calc %.2f "$(field "$r" wallSeconds) / $base_wall") x in process); $(field "$r" items) items; $(field "$r" entitiesPerSecond) entities/s; CPU: apps $(field "$r" appCpuSeconds) s, Azurite $(field "$r" azuriteCpuSeconds) s ($(calc %.0f "100 * $(field "$r" azuriteCpuSeconds) / $(field "$r" wallSeconds)")% of one core)"
    shares "$r"
  done
  echo "Same figures in every run (observations read $(field "$BASELINE" observationsRead), entities written $(field "$BASELINE" entitiesWritten)); the coordinator works items too."
  echo "On $(nproc) cores with a single-threaded Azurite, N > $(nproc) processes only share the same cores and the same emulator thread."
  echo "======================================================================"
} | tee "$WORK/summary.txt"
