#!/usr/bin/env bash
# Collect benchmark (not a test): the real app (Release build, standalone) against a private in-memory Azurite,
# collecting from a local source server that the benchmark program runs in its own process (Kestrel, 127.0.0.1).
#  1. The server publishes BENCH_SOURCES CSVs (default 50) of BENCH_ROWS rows (default 2000): one district each,
#     BENCH_INDICATORS indicators (default 20) x months from 2018-01, with a strong ETag and Last-Modified; a
#     matching If-None-Match gets 304. The catalog (indicators, districts, region clusters of 10) and one http-csv
#     source per CSV are PUT through the app's HTTP API.
#  2. First run, POST /api/runs?wait=true {"collect":true}: every source fetched, every row ingested, aggregated.
#  3. Second run, the same POST with nothing changed at the sources: every source should cost one 304, and the
#     run should take at most 5% of the first one's wall time.
# Prints one summary block at the end. Sources are collected Collection__Concurrency at a time (the app's default,
# 4, unless BENCH_CONCURRENCY is set). Small smoke run (< 1 minute):
#   BENCH_SOURCES=5 BENCH_ROWS=400 bash scripts/bench-collect.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-app.sh"
cd "$ROOT"

export BENCH_SOURCES=${BENCH_SOURCES:-50} BENCH_ROWS=${BENCH_ROWS:-2000} BENCH_INDICATORS=${BENCH_INDICATORS:-20}
export BENCH_ADMIN_KEY=bench
CONCURRENCY=${BENCH_CONCURRENCY:-4}
APP_DIR=$ROOT/functions/IndicatorFunctions/bin/Release/net10.0
BENCH_DLL=$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll

ensure_npm
echo "building (Release)..."
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-collect.XXXXXX")
export AZURITE_LOG=$WORK/azurite.log BENCH_WORK=$WORK
# "|| true": a process that already died (or dies by a signal) must not stop the cleanup under set -e.
cleanup() { stop_app || true; stop_azurite || true; echo "logs and run records: $WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM


echo "== $BENCH_SOURCES sources x $BENCH_ROWS rows, collected $CONCURRENCY at a time =="
start_private_azurite
export BENCH_AZURITE_PID=$AZURITE_PID
# The benchmark's source server is on loopback, which sources may reach only when allowed.
start_app Collection__Concurrency="$CONCURRENCY" Collection__AllowedPrivateHosts=127.0.0.1
# The program prints progress on stderr and its figures as one JSON line on stdout; it exits 1 (after printing
# the line) when a run did not do what it must.
status=0
OUT=$(dotnet "$BENCH_DLL" collect) || status=$?
echo "  collect: $OUT" >&2
if [ "$status" != 0 ]; then
  echo "the collect benchmark failed (exit $status); app log: $WORK/app.log, run records: $WORK/run-*.json" >&2
  exit "$status"
fi
stop_app
stop_azurite || true

# ---- summary ----
field() { echo "$OUT" | grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
f() { field "$@"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
pct() { calc %.0f "100 * $1 / ($2 > 0 ? $2 : 1)"; }

wall1=$(f firstWallSeconds) wall2=$(f secondWallSeconds)
collect1=$(f firstCollectMs) aggregate1=$(f firstAggregateMs) duration1=$(f firstDurationMs)
fetch1=$(f firstFetchMsSum) parse1=$(f firstParseMsSum) write1=$(f firstWriteMsSum)
timed1=$((fetch1 + parse1 + write1))
ratio=$(f secondToFirst)
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 0.05) ? "met" : "MISSED" }')
# Source-seconds the collect phase had: its wall time x the sources in flight; what the per-source timers do not
# cover of that is saving the source's state, listing sources and waiting for a free slot.
slot_ms=$((collect1 * CONCURRENCY))

cat <<SUMMARY

================ IndicatorFunctions collect benchmark ================
machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); .NET $(dotnet --version), Node $(node --version), Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory
data: $(f sources) sources x $(f rowsPerSource) rows = $(f rows) rows ($(f indicators) indicators x $(f months) months from 2018-01, one district per source); $(f payloadBytes) bytes of CSV served ($(calc %.2f "$(f payloadBytes) / 1048576") MiB)
      catalog $(f indicators) indicators, $(f districts) districts, $(f clusters) region cluster(s) of up to 10 districts; set-up (catalog + sources PUT) $(f setupSeconds) s
first run (all new): wall $wall1 s (run durationMs $duration1)
  collect phase $collect1 ms ($(pct "$collect1" "$duration1")%), aggregate phase $aggregate1 ms ($(pct "$aggregate1" "$duration1")%)
  collected: $(f firstFetched) fetched, $(f firstFailed) failed; $(f firstRowsAccepted) rows accepted, $(f firstRowsRejected) rejected; server answered $(f firstServerRequests) requests ($(f firstServer200) x 200, $(f firstServerBytes) bytes)
  aggregated: read $(f firstObservationsRead) observations, wrote $(f firstGrowthWritten) growth + $(f firstRollupsWritten) rollup entities
  per-source timers, summed over the $(f sources) sources (collected $CONCURRENCY at a time, so the sums exceed the collect phase's wall time):
    fetch $fetch1 ms ($(pct "$fetch1" "$timed1")%), parse $parse1 ms ($(pct "$parse1" "$timed1")%), write $write1 ms ($(pct "$write1" "$timed1")%); total $timed1 ms
    slowest source: fetch $(f firstFetchMsMax) ms, parse $(f firstParseMsMax) ms, write $(f firstWriteMsMax) ms
    collect wall x $CONCURRENCY in flight = $slot_ms source-ms, of which the timers cover $(pct "$timed1" "$slot_ms")% (the rest: saving source state, idle slots)
  CPU during the run: app $(f firstAppCpuSeconds) s, Azurite $(f firstAzuriteCpuSeconds) s, bench + source server $(f firstBenchCpuSeconds) s
second run (nothing changed at the sources): wall $wall2 s (run durationMs $(f secondDurationMs): collect $(f secondCollectMs) ms, aggregate $(f secondAggregateMs) ms)
  collected: $(f secondUnchanged) unchanged, $(f secondFetched) fetched, $(f secondFailed) failed; server answered $(f secondServerRequests) requests ($(f secondServer304) x 304, $(f secondServer200) x 200)
  aggregated: read $(f secondObservationsRead) observations, wrote $(f secondGrowthWritten) growth + $(f secondRollupsWritten) rollup entities
  CPU during the run: app $(f secondAppCpuSeconds) s, Azurite $(f secondAzuriteCpuSeconds) s
  second / first wall time = $ratio   (target <= 0.05: $verdict)
=======================================================================
SUMMARY
