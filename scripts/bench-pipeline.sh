#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_app takes extra settings (NAME=value); none here, not the script's arguments
# Pipeline benchmark (not a test): the real app (Release build, local mode: see bench-app.sh) against a private
# in-memory Azurite.
#  1. For two data sizes (BENCH_OBSERVATIONS_SMALL, BENCH_OBSERVATIONS: same districts and years, so every
#     partition — a series, a cross-section, a rollup — has the same size; only the number of indicators differs):
#     fresh Azurite, load the synthetic catalog and observations through the HTTP API, restart the app (so its
#     peak memory is the run's own), then a full run: POST /api/runs?wait=true {"full":true}.
#  2. At the large size, in the same Azurite: the raw Azure.Data.Tables batch-upsert rate (IndicatorFunctions.Bench
#     table-upsert: 100-op transactions, 4 in flight, as the app writes), the ceiling the full run's write rate is
#     compared with; revise 1% of the points and run incrementally; then
#     wrk against the series endpoint and against /api/health in the same app process.
# Prints one summary block at the end with every figure and its target. Small smoke run (< 1 minute):
#   BENCH_OBSERVATIONS=4000 BENCH_SDK_ENTITIES=2000 BENCH_WRK_DURATION=3s bash scripts/bench-pipeline.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-app.sh"
cd "$ROOT"

export BENCH_OBSERVATIONS=${BENCH_OBSERVATIONS:-100000}
BENCH_OBSERVATIONS_SMALL=${BENCH_OBSERVATIONS_SMALL:-$((BENCH_OBSERVATIONS / 2))}
export BENCH_DISTRICTS=${BENCH_DISTRICTS:-50} BENCH_YEARS=${BENCH_YEARS:-20} BENCH_SECTORS=${BENCH_SECTORS:-1} BENCH_SEED=${BENCH_SEED:-42}
export BENCH_BODY_ROWS=${BENCH_BODY_ROWS:-5000} BENCH_ADMIN_KEY=bench
SDK_ENTITIES=${BENCH_SDK_ENTITIES:-50000}
WRK_DURATION=${BENCH_WRK_DURATION:-15s} WRK_CONNECTIONS=${BENCH_WRK_CONNECTIONS:-64} WRK_THREADS=${BENCH_WRK_THREADS:-2}
APP_DIR=$ROOT/functions/IndicatorFunctions/bin/Release/net10.0
BENCH_DLL=$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll

ensure_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing wrk (apt-get)..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is missing: install it with 'sudo apt-get install -y wrk' (Debian/Ubuntu) and run again." >&2
    return 1
  fi
}

ensure_npm
ensure_wrk
echo "building (Release)..."
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-pipeline.XXXXXX")
export AZURITE_LOG=$WORK/azurite.log
# "|| true": a process that already died (or dies by a signal) must not stop the cleanup under set -e.
cleanup() { stop_app || true; stop_azurite || true; echo "logs: $WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM


step() { # pipeline step; prints its JSON line to stderr as progress and returns it on stdout
  local out
  out=$(dotnet "$BENCH_DLL" pipeline "$1")
  echo "  $1: $out" >&2
  echo "$out"
}
field() { echo "$1" | grep -o "\"$2\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
require_succeeded() { [ "$(field "$1" status)" = succeeded ] || { echo "run failed: $1" >&2; exit 1; }; }

# One size: fresh Azurite, load, restart the app, full run. Leaves Azurite and the app running.
load_and_full_run() { # observations
  export BENCH_OBSERVATIONS=$1
  start_private_azurite
  export BENCH_AZURITE_PID=$AZURITE_PID BENCH_CONNECTION_STRING=$AZURITE_CONNECTION_STRING
  start_app
  LOAD=$(step load)
  stop_app
  start_app
  FULL=$(step run-full)
  require_succeeded "$FULL"
}

# wrk's latency in ms from a value such as 812.00us, 9.12ms or 1.02s.
wrk_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'; }
read_bench() { # label path -> sets <label>_P50, _P99 (ms), _RPS, _ERRORS
  local out p50 p99 rps errors
  curl -sf -o /dev/null "$BENCH_APP_URL$2" || { echo "GET $2 failed before the read benchmark" >&2; exit 1; }
  out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --latency "$BENCH_APP_URL$2")
  echo "$out" >"$WORK/wrk-$1.txt"
  p50=$(wrk_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(wrk_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ { $1 = $1; s = s $0 "; " } END { print s }')
  printf -v "${1}_P50" '%s' "$p50"
  printf -v "${1}_P99" '%s' "$p99"
  printf -v "${1}_RPS" '%s' "$rps"
  printf -v "${1}_ERRORS" '%s' "$errors"
  echo "  wrk $2: p50 $p50 ms, p99 $p99 ms, $rps req/s ${errors:+($errors)}" >&2
}

echo "== size 1: $BENCH_OBSERVATIONS_SMALL observations =="
LARGE=$BENCH_OBSERVATIONS
load_and_full_run "$BENCH_OBSERVATIONS_SMALL"
SMALL_LOAD=$LOAD SMALL_FULL=$FULL
stop_app
stop_azurite || true

echo "== size 2: $LARGE observations =="
load_and_full_run "$LARGE"
echo "  Azure.Data.Tables batch upsert, $SDK_ENTITIES entities into the same Azurite..." >&2
SDK=$(BENCH_TABLE=sdkpeer BENCH_ENTITIES=$SDK_ENTITIES dotnet "$BENCH_DLL" table-upsert)
echo "  sdk: $SDK" >&2
REVISE=$(step revise)
INCR=$(step run-incremental)
require_succeeded "$INCR"
read_bench SERIES /api/districts/d-000/indicators/ind-000/series
read_bench HEALTH /api/health
stop_app
stop_azurite || true

# ---- summary ----
f() { field "$@"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
full_eps=$(f "$FULL" entitiesPerSecond) sdk_eps=$(f "$SDK" entitiesPerSecond)
ratio_write=$(calc %.2f "$full_eps / $sdk_eps")
incr_fraction=$(calc %.3f "$(f "$INCR" wallSeconds) / $(f "$FULL" wallSeconds)")
ratio_reads=$(calc %.2f "$SERIES_RPS / $HEALTH_RPS")
small_delta=$(calc %.1f "$(f "$SMALL_FULL" peakRssMb) - $(f "$SMALL_FULL" rssBeforeMb)")
large_delta=$(calc %.1f "$(f "$FULL" peakRssMb) - $(f "$FULL" rssBeforeMb)")
growth=$(calc %.2f "$large_delta / ($small_delta > 0 ? $small_delta : 1)")
data_growth=$(calc %.2f "$(f "$LOAD" observations) / $(f "$SMALL_LOAD" observations)")
verdict=$(awk -v g="$growth" -v d="$data_growth" 'BEGIN { print (g >= 1 + 0.6 * (d - 1)) ? "grows with the total data" : (g <= 1 + 0.25 * (d - 1)) ? "bounded by the largest partition" : "grows, but less than the data" }')
(( BENCH_OBSERVATIONS_SMALL >= 20000 )) || verdict="$verdict (too little data to tell: the runtime's own footprint dominates)"
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }

cat <<SUMMARY

================ IndicatorFunctions pipeline benchmark ================
machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); .NET $(dotnet --version), $(field "$SDK" client), Node $(node --version), Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory
data: $(f "$LOAD" observations) observations = $(f "$LOAD" indicators) indicators x $BENCH_DISTRICTS districts x $((1 + BENCH_SECTORS)) series (total + $BENCH_SECTORS sector) x $BENCH_YEARS years; $(f "$LOAD" clusters) clusters; seed $BENCH_SEED
load (POST /api/observations, $BENCH_BODY_ROWS rows a body): $(f "$LOAD" ingestSeconds) s = $(f "$LOAD" observationsPerSecond) observations/s
full run: wall $(f "$FULL" wallSeconds) s (run durationMs $(f "$FULL" durationMs)); read $(f "$FULL" observationsRead); wrote $(f "$FULL" growthWritten) growth + $(f "$FULL" rollupsWritten) rollup entities
          = $full_eps entities/s; CPU during the run: app $(f "$FULL" appCpuSeconds) s, Azurite $(f "$FULL" azuriteCpuSeconds) s ($(calc %.0f "100 * $(f "$FULL" azuriteCpuSeconds) / $(f "$FULL" wallSeconds)")% of one core; Azurite is single-threaded)
raw Azure.Data.Tables batch upsert into the same Azurite, right after the full run ($SDK_ENTITIES entities, 100-op batches, 4 in flight): $sdk_eps entities/s
  full-run entities/s / raw SDK entities/s = $ratio_write   (target >= 0.70: $(met "$ratio_write" 0.70))
incremental run after revising $(f "$REVISE" revised) points (1%): wall $(f "$INCR" wallSeconds) s = $incr_fraction of the full run's wall time
  read $(f "$INCR" observationsRead) observations, wrote $(f "$INCR" growthWritten) growth + $(f "$INCR" rollupsWritten) rollup entities; CPU: app $(f "$INCR" appCpuSeconds) s, Azurite $(f "$INCR" azuriteCpuSeconds) s
peak memory of the app during a full run (RSS; before -> peak):
  $(f "$SMALL_LOAD" observations) observations: $(f "$SMALL_FULL" rssBeforeMb) -> $(f "$SMALL_FULL" peakRssMb) MB (+$small_delta MB)
  $(f "$LOAD" observations) observations: $(f "$FULL" rssBeforeMb) -> $(f "$FULL" peakRssMb) MB (+$large_delta MB)
  $data_growth x the data, same largest partition -> $growth x the memory: $verdict
reads (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION, same app process, after the runs):
  series /api/districts/d-000/indicators/ind-000/series: p50 $SERIES_P50 ms, p99 $SERIES_P99 ms, $SERIES_RPS req/s ${SERIES_ERRORS:+(errors: $SERIES_ERRORS)}
  health /api/health:                                   p50 $HEALTH_P50 ms, p99 $HEALTH_P99 ms, $HEALTH_RPS req/s ${HEALTH_ERRORS:+(errors: $HEALTH_ERRORS)}
  series req/s / health req/s = $ratio_reads   (target >= 0.5: $(met "$ratio_reads" 0.5))
=======================================================================
SUMMARY
