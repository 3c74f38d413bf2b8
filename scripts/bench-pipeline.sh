#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_app takes extra settings (NAME=value); none here, not the script's arguments
# Scale benchmark (not a test): the real app (Release build, local mode: see bench-app.sh) against a private
# in-memory Azurite, with seeded synthetic data (Samples/SyntheticData.cs). Every rate is set against the raw
# Azure.Data.Tables rate measured in the same Azurite in the same run.
#  1. Small size (BENCH_OBSERVATIONS_SMALL, default 1/4 of the large: same districts and years, so every partition — a
#     series, a cross-section, a rollup — has the same size; only the number of indicators differs): fresh Azurite,
#     load through the HTTP API, restart the app (so its peak memory is the run's own), full run. Only its memory is
#     reported: the memory verdict compares the two sizes.
#  2. Large size (BENCH_OBSERVATIONS, default 1,000,000), fresh Azurite:
#     raw SDK batch upsert (IndicatorFunctions.Bench table-upsert: BENCH_SDK_ENTITIES entities, 100-op transactions,
#     4 in flight, as the app writes) into table sdkbefore; load (POST /api/observations); the raw upsert again into
#     sdkafter; restart the app; full run (POST /api/runs?wait=true {"full":true}; counters from the run ledger,
#     GET /api/runs/{id}); cold reads (the first read of a few partitions per endpoint after the commit);
#     revise 1% of the points, incremental run, cold reads; revise ONE point, incremental run, cold reads;
#     raw SDK reads of the partitions the series, cross-section and rollups endpoints serve (pipeline raw-read: a
#     point read of the record each endpoint serves, from the full run's table; and point reads of observations, a
#     different one each time, the read an incremental run would make per changed point without the values its markers hold); wrk against those
#     three endpoints. Memory of a full run: peak RSS, and the live heap (the most a gen-2 collection kept, from the
#     app's GC events over EventPipe: GcWatch.cs), since RSS also holds garbage the GC has not yet needed to collect.
#     Then BENCH_PAIRS - 1 more pairs (restart the app, full run, revise 1% again (+6%, +7%, ...), incremental run):
#     the 1% target is judged on the median of the pairs' ratios, since one pair moves by +-15% on a shared machine.
#     Last, for the record (not a target): the raw upsert once more, into the observations table the load filled
#     (partitions "~raw-NNN" of their own): Azurite's writes cost more the more rows their table holds.
#  3. One summary block: every figure, its ratio to the raw rate and its target (met/MISSED), the machine, its load
#     average during the benchmark, versions, seed and the exact command.
# Settings (environment): BENCH_OBSERVATIONS (1000000), BENCH_OBSERVATIONS_SMALL (1/4 of it), BENCH_DISTRICTS (50),
# BENCH_YEARS (20), BENCH_SECTORS (1), BENCH_SEED (42), BENCH_BODY_ROWS (5000), BENCH_SDK_ENTITIES (50000),
# BENCH_WRK_DURATION (15s), BENCH_WRK_CONNECTIONS (64), BENCH_WRK_THREADS (2), BENCH_RAW_READ_SECONDS (5),
# BENCH_RAW_READ_CONCURRENCY (16), BENCH_COLD_SAMPLES (5 partitions per endpoint after each run), BENCH_PAIRS (full +
# 1% incremental pairs: 3 up to 200,000 observations, else 1, since a pair takes about 6 minutes at 1M).
# Measured on a quiet 2-core machine: about 16 min at 1M (load 5 min, full run 5 min), under 3 min at 100k; several times that
# when other work shares the cores (100k took 13 minutes at load average 20):
#   BENCH_OBSERVATIONS=100000 bash scripts/bench-pipeline.sh
# Smoke mode (< 1 minute once built, on an idle machine; 2,000 observations over 10 districts, 1 s reads; checks the
# script, not the figures):
#   BENCH_SMOKE=1 bash scripts/bench-pipeline.sh
set -euo pipefail
# The command as given, for the summary: the BENCH_* settings the caller set, before any default is filled in.
COMMAND="$({ env | grep '^BENCH_' || true; } | sort | tr '\n' ' ')bash scripts/bench-pipeline.sh"
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-app.sh"
cd "$ROOT"

if [ "${BENCH_SMOKE:-}" = 1 ]; then
  : "${BENCH_OBSERVATIONS:=2000}" "${BENCH_DISTRICTS:=10}" "${BENCH_SDK_ENTITIES:=1000}" "${BENCH_WRK_DURATION:=1s}" "${BENCH_RAW_READ_SECONDS:=1}" "${BENCH_COLD_SAMPLES:=2}"
fi
export BENCH_OBSERVATIONS=${BENCH_OBSERVATIONS:-1000000}
BENCH_OBSERVATIONS_SMALL=${BENCH_OBSERVATIONS_SMALL:-$((BENCH_OBSERVATIONS / 4))}
export BENCH_DISTRICTS=${BENCH_DISTRICTS:-50} BENCH_YEARS=${BENCH_YEARS:-20} BENCH_SECTORS=${BENCH_SECTORS:-1} BENCH_SEED=${BENCH_SEED:-42}
export BENCH_BODY_ROWS=${BENCH_BODY_ROWS:-5000} BENCH_ADMIN_KEY=bench
export BENCH_RAW_READ_SECONDS=${BENCH_RAW_READ_SECONDS:-5} BENCH_RAW_READ_CONCURRENCY=${BENCH_RAW_READ_CONCURRENCY:-16} BENCH_COLD_SAMPLES=${BENCH_COLD_SAMPLES:-5}
SDK_ENTITIES=${BENCH_SDK_ENTITIES:-50000}
PAIRS=${BENCH_PAIRS:-$(( BENCH_OBSERVATIONS <= 200000 ? 3 : 1 ))}
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
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ) SECONDS=0

# The machine's 1-minute load average every 5 s for the whole benchmark (other work on the machine moves every figure).
(while :; do cut -d' ' -f1 /proc/loadavg >>"$WORK/loadavg.txt"; sleep 5; done) &
LOAD_SAMPLER=$!

# "|| true": a process that already died (or dies by a signal) must not stop the cleanup under set -e.
cleanup() { kill "$LOAD_SAMPLER" 2>/dev/null || true; stop_app || true; stop_azurite || true; echo "logs: $WORK"; }
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
sdk_upsert() { # table [partition prefix] -> the table-upsert JSON line
  local out
  echo "  Azure.Data.Tables batch upsert, $SDK_ENTITIES entities into table $1..." >&2
  out=$(BENCH_TABLE=$1 BENCH_ENTITIES=$SDK_ENTITIES BENCH_PARTITION_PREFIX=${2:-p} dotnet "$BENCH_DLL" table-upsert)
  echo "  sdk $1: $out" >&2
  echo "$out"
}

# One size: fresh Azurite, load, restart the app, full run. Leaves Azurite and the app running. With "raw", the raw
# SDK upsert rate before the load (SDK_BEFORE) and after it (SDK_AFTER), each into its own table.
load_and_full_run() { # observations [raw]
  export BENCH_OBSERVATIONS=$1
  start_private_azurite
  export BENCH_AZURITE_PID=$AZURITE_PID BENCH_CONNECTION_STRING=$AZURITE_CONNECTION_STRING
  [ "${2:-}" = raw ] && SDK_BEFORE=$(sdk_upsert sdkbefore)
  start_app
  LOAD=$(step load)
  stop_app
  [ "${2:-}" = raw ] && SDK_AFTER=$(sdk_upsert sdkafter)
  start_app
  FULL=$(step run-full)
  require_succeeded "$FULL"
}

cold_reads() { BENCH_RUN_ID=$(field "$1" runId) step cold-reads; }

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

echo "== small size: $BENCH_OBSERVATIONS_SMALL observations (memory only) =="
LARGE=$BENCH_OBSERVATIONS
load_and_full_run "$BENCH_OBSERVATIONS_SMALL"
SMALL_LOAD=$LOAD SMALL_FULL=$FULL
stop_app
stop_azurite || true

echo "== large size: $LARGE observations =="
load_and_full_run "$LARGE" raw
COLD_FULL=$(cold_reads "$FULL")
REVISE=$(step revise)
INCR=$(step run-incremental)
require_succeeded "$INCR"
COLD_INCR=$(cold_reads "$INCR")
REVISE_ONE=$(step revise-one)
ONE=$(step run-incremental)
require_succeeded "$ONE"
COLD_ONE=$(cold_reads "$ONE")
RAW=$(BENCH_RUN_ID=$(field "$FULL" runId) step raw-read)
read_bench SERIES "$(field "$RAW" seriesPath)"
read_bench CROSS "$(field "$RAW" crossSectionPath)"
read_bench ROLLUPS "$(field "$RAW" rollupsPath)"
# More full + 1% incremental pairs, each in a restarted app as the first: the ratio's spread, and its median.
PAIR_FULLS=("$FULL") PAIR_INCRS=("$INCR")
for (( pair = 2; pair <= PAIRS; pair++ )); do
  echo "pair $pair of $PAIRS: restart, full run, revise 1% (+$((4 + pair))%), incremental run" >&2
  stop_app
  start_app
  PAIR_FULLS+=("$(step run-full)")
  require_succeeded "${PAIR_FULLS[-1]}"
  BENCH_REVISE_PERCENT=$((4 + pair)) step revise >/dev/null
  PAIR_INCRS+=("$(step run-incremental)")
  require_succeeded "${PAIR_INCRS[-1]}"
done
# For the record, not a target: the same raw upsert into the table the load filled (partitions of their own, after
# every series' in key order), to show what Azurite's writes cost in a table of the load's size. Last: no run reads them.
SDK_LOADED=$(sdk_upsert observations "~raw-")
stop_app
stop_azurite || true
kill "$LOAD_SAMPLER" 2>/dev/null || true

# ---- summary ----
f() { field "$@"; }
from() { # the ledger counters an entity count sums
  local counters
  counters=$(field "$1" entitiesFrom)
  echo -n "${counters// / + } from the run ledger"
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }
met_le() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "MISSED" }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
count() { wc -w | tr -d ' '; }

observations=$(f "$LOAD" observations)
sdk_before=$(f "$SDK_BEFORE" entitiesPerSecond) sdk_after=$(f "$SDK_AFTER" entitiesPerSecond)
sdk=$(calc %.0f "($sdk_before + $sdk_after) / 2")
sdk_loaded=$(f "$SDK_LOADED" entitiesPerSecond)
load_ops=$(f "$LOAD" observationsPerSecond)
ratio_load=$(calc %.2f "$load_ops / $sdk")
full_wall=$(f "$FULL" wallSeconds) full_entities=$(f "$FULL" entitiesWritten) full_eps=$(f "$FULL" entitiesPerSecond)
full_seconds=$(calc %.3f "$(f "$FULL" durationMs) / 1000")
per_observation=$(calc %.3f "$full_entities / $observations")
ratio_write=$(calc %.2f "$full_eps / $sdk")
full_ops=$(calc %.0f "$observations / $full_seconds")
ratio_full_ops=$(calc %.2f "$full_ops / $sdk")
incr_fraction=$(calc %.3f "$(f "$INCR" wallSeconds) / $full_wall")
pair_fractions=() pair_lines=()
for i in "${!PAIR_FULLS[@]}"; do
  pair_fractions+=("$(calc %.3f "$(f "${PAIR_INCRS[$i]}" wallSeconds) / $(f "${PAIR_FULLS[$i]}" wallSeconds)")")
  pair_lines+=("pair $((i + 1)): $(f "${PAIR_INCRS[$i]}" wallSeconds) / $(f "${PAIR_FULLS[$i]}" wallSeconds) s = ${pair_fractions[-1]}")
done
pairs_text=$(printf '%s; ' "${pair_lines[@]}") pairs_text=${pairs_text%; }
incr_median=$(printf '%s\n' "${pair_fractions[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
one_fraction=$(calc %.4f "$(f "$ONE" wallSeconds) / $full_wall")
every_point_seconds=$(calc %.2f "$(f "$REVISE" revised) / $(f "$RAW" observationReadsPerSecond)")
every_point_fraction=$(calc %.3f "$every_point_seconds / $full_wall")
small_delta=$(calc %.1f "$(f "$SMALL_FULL" peakRssMb) - $(f "$SMALL_FULL" rssBeforeMb)")
large_delta=$(calc %.1f "$(f "$FULL" peakRssMb) - $(f "$FULL" rssBeforeMb)")
growth=$(calc %.2f "$large_delta / ($small_delta > 0 ? $small_delta : 1)")
data_growth=$(calc %.2f "$observations / $(f "$SMALL_LOAD" observations)")
verdict=$(awk -v g="$growth" -v d="$data_growth" 'BEGIN { print (g >= 1 + 0.6 * (d - 1)) ? "grows with the total data" : (g <= 1 + 0.25 * (d - 1)) ? "bounded by the largest partition" : "grows, but less than the data" }')
memory_target=$([[ $verdict == "bounded by the largest partition" ]] && echo met || echo MISSED)
if (( BENCH_OBSERVATIONS_SMALL < 20000 )); then
  verdict="$verdict (too little data to tell: the runtime's own footprint dominates)" memory_target="not judged"
fi
live_heap() { # run -> its peak live heap, or why there is none
  if [ "$(f "$1" peakLiveHeapMb)" = null ]; then echo "n/a (no gen-2 collection)"; else echo "$(f "$1" peakLiveHeapMb) MB ($(f "$1" gcFullCollections) gen-2 collections)"; fi
}
reads_line() { # label endpoint -> one line per endpoint: wrk figures, raw reads, ratio, cold p50
  local label=$1 endpoint=$2 rps raw cold p50 p99 errors
  rps=${label}_RPS p50=${label}_P50 p99=${label}_P99 errors=${label}_ERRORS
  raw=$(f "$RAW" "${endpoint}ReadsPerSecond")
  cold="$(f "$COLD_FULL" "${endpoint}Ms") $(f "$COLD_INCR" "${endpoint}Ms") $(f "$COLD_ONE" "${endpoint}Ms")"
  printf '  %-13s wrk p50 %s ms, p99 %s ms, %s req/s | raw SDK read of the record %s reads/s (p50 %s ms, %s characters)\n' \
    "$endpoint" "${!p50}" "${!p99}" "${!rps}" "$raw" "$(f "$RAW" "${endpoint}P50Ms")" "$(f "$RAW" "${endpoint}Rows")"
  printf '  %-13s req/s / raw reads/s = %s; cold read (first after a commit) p50 %s ms of %s samples%s\n' \
    "" "$(calc %.2f "${!rps} / $raw")" "$(echo "$cold" | median)" "$(echo "$cold" | count)" "${!errors:+; wrk errors: ${!errors}}"
}
loadavg=$(awk '{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 } END { printf "min %.2f, mean %.2f, max %.2f (%d samples, every 5 s)", lo, s / NR, hi, NR }' "$WORK/loadavg.txt")

cat <<SUMMARY

================ IndicatorFunctions scale benchmark ================
command: $COMMAND
started $STARTED, took $((SECONDS / 60)) min $((SECONDS % 60)) s; commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- functions bench 2>/dev/null || echo " (with uncommitted changes)")
machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average during the benchmark: $loadavg
versions: .NET $(dotnet --version), $(f "$SDK_AFTER" client), Node $(node --version), Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory, wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')
data: $observations observations = $(f "$LOAD" indicators) indicators x $BENCH_DISTRICTS districts x $((1 + BENCH_SECTORS)) series (total + $BENCH_SECTORS sector) x $BENCH_YEARS years; $(f "$LOAD" clusters) clusters; seed $BENCH_SEED
raw Azure.Data.Tables batch upsert, same Azurite ($SDK_ENTITIES entities, 100-op batches, 4 in flight, own table):
  before the load $sdk_before, after the load $sdk_after entities/s; mean $sdk = "raw" below
load (POST /api/observations, $BENCH_BODY_ROWS rows a body): $(f "$LOAD" ingestSeconds) s = $load_ops observations/s
  / raw = $ratio_load   (target >= 0.60: $(met "$ratio_load" 0.60))
  for the record: the raw upsert into the observations table once the load had filled it ($observations rows): $sdk_loaded entities/s, $(calc %.2f "$sdk_loaded / $sdk") of raw; the load / that = $(calc %.2f "$load_ops / $sdk_loaded")
full run: wall $full_wall s (ledger durationMs $(f "$FULL" durationMs)); read $(f "$FULL" observationsRead) observations; wrote $full_entities entities ($(from "$FULL"))
  entities written per observation = $per_observation   (target <= 0.2: $(met_le "$per_observation" 0.2))
  $full_ops observations aggregated/s / raw entities/s = $ratio_full_ops   (the run's rate; an entity now holds a whole series, cross-section or rollup record)
  $full_eps entities/s / raw = $ratio_write   (for the record: it fell with the entities a run writes)
  CPU during the run: app $(f "$FULL" appCpuSeconds) s, Azurite $(f "$FULL" azuriteCpuSeconds) s ($(calc %.0f "100 * $(f "$FULL" azuriteCpuSeconds) / $full_wall")% of one core; Azurite is single-threaded)
incremental run after revising $(f "$REVISE" revised) points (1%): wall $(f "$INCR" wallSeconds) s = $incr_fraction of the full run
  median of $PAIRS full + 1% incremental pairs = $incr_median   (target <= 0.10: $(met_le "$incr_median" 0.10)); $pairs_text
  read $(f "$INCR" observationsRead) observations, wrote $(f "$INCR" entitiesWritten) entities ($(from "$INCR")); CPU: app $(f "$INCR" appCpuSeconds) s, Azurite $(f "$INCR" azuriteCpuSeconds) s
  reading every revised point here would cost: $(f "$REVISE" revised) point reads at the raw rate of $(f "$RAW" observationReadsPerSecond)/s ($(f "$RAW" observationReaders) SDK readers) = $every_point_seconds s = $every_point_fraction of the full run (the run reads only the points whose value their change marker lacks)
incremental run after revising ONE point ($(f "$REVISE_ONE" point)): wall $(f "$ONE" wallSeconds) s = $one_fraction of the full run   (target <= 0.02: $(met_le "$one_fraction" 0.02))
  read $(f "$ONE" observationsRead) observations, wrote $(f "$ONE" entitiesWritten) entities ($(from "$ONE")); CPU: app $(f "$ONE" appCpuSeconds) s, Azurite $(f "$ONE" azuriteCpuSeconds) s
peak memory of the app during a full run (RSS; before -> peak):
  $(f "$SMALL_LOAD" observations) observations: $(f "$SMALL_FULL" rssBeforeMb) -> $(f "$SMALL_FULL" peakRssMb) MB (+$small_delta MB)
  $observations observations: $(f "$FULL" rssBeforeMb) -> $(f "$FULL" peakRssMb) MB (+$large_delta MB)
  $data_growth x the data, same largest partition -> $growth x the memory: $verdict   (target: bounded by the largest partition: $memory_target)
  live heap (the most a gen-2 collection kept during the run, from the app's GC events): $(live_heap "$SMALL_FULL") -> $(live_heap "$FULL")
reads after the runs (wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION; raw: $BENCH_RAW_READ_CONCURRENCY SDK readers for ${BENCH_RAW_READ_SECONDS} s on the same partition of the full run's tables):
$(reads_line SERIES series)
$(reads_line CROSS crossSection)
$(reads_line ROLLUPS rollups)
====================================================================
SUMMARY
