#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_app takes extra settings (NAME=value); none here, not the script's arguments
# Ingestion benchmark (not a test): the real app (Release build, local mode: see bench-app.sh) against a private
# in-memory Azurite, once per format (JSON, then CSV), each in a fresh Azurite so both load into empty tables:
#  1. the raw Azure.Data.Tables batch-upsert rate into that Azurite (IndicatorFunctions.Bench table-upsert: 100-op
#     transactions, 4 in flight), the ceiling ingestion is compared with;
#  2. the synthetic catalog, then BENCH_OBSERVATIONS seeded observations (default 100,000 = 50 indicators x 50
#     districts x 2 series x 20 years) through POST /api/observations, BENCH_BODY_ROWS (5,000) rows a body, one body
#     at a time: observations/s, and the CPU the app and Azurite used meanwhile;
#  3. after the JSON load only, for information: the same bodies again (every row unchanged) and a body set
#     revising 1% of the points.
# Prints one summary block at the end: observations/s and the ratio to the raw rate for JSON and CSV against the
# target (>= 0.60), with the machine and its load average. BENCH_AZURITE_DEBUG=1 also counts the requests Azurite
# served in each step (its debug log; slows it down, so the rates of such a run are not the figure).
# Small smoke run (< 1 minute):
#   BENCH_OBSERVATIONS=4000 BENCH_SDK_ENTITIES=4000 bash scripts/bench-ingest.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-app.sh"
cd "$ROOT"

export BENCH_OBSERVATIONS=${BENCH_OBSERVATIONS:-100000}
export BENCH_DISTRICTS=${BENCH_DISTRICTS:-50} BENCH_YEARS=${BENCH_YEARS:-20} BENCH_SECTORS=${BENCH_SECTORS:-1} BENCH_SEED=${BENCH_SEED:-42}
export BENCH_BODY_ROWS=${BENCH_BODY_ROWS:-5000} BENCH_ADMIN_KEY=bench
SDK_ENTITIES=${BENCH_SDK_ENTITIES:-50000}
APP_DIR=$ROOT/functions/IndicatorFunctions/bin/Release/net10.0
BENCH_DLL=$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll

ensure_npm
echo "building (Release)..."
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX")
# "|| true": a process that already died (or dies by a signal) must not stop the cleanup under set -e.
cleanup() { stop_app || true; stop_azurite || true; echo "logs: $WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# Requests Azurite logged so far (debug mode only): one "ContextMiddleware: RequestMethod=" line per HTTP request, a batch counting once.
requests() { if [ -n "${BENCH_AZURITE_DEBUG:-}" ]; then grep -c 'ContextMiddleware: RequestMethod=' "$WORK/azurite-$1.debug.log" || true; else echo 0; fi; }

step() { # format, step [args...]: prints the step's JSON line to stderr as progress, returns it (with its request count) on stdout
  local format=$1 out before
  shift
  before=$(requests "$format")
  out=$(dotnet "$BENCH_DLL" ingest "$@")
  out="${out%\}},\"azuriteRequests\":$(($(requests "$format") - before))}"
  echo "  $*: $out" >&2
  echo "$out"
}

session() { # format: fresh Azurite and app, raw rate, load; sets SDK_<format>, LOAD_<format>
  local format=$1 sdk load
  export AZURITE_LOG=$WORK/azurite-$format.log
  AZURITE_ARGS=${BENCH_AZURITE_DEBUG:+--debug $WORK/azurite-$format.debug.log}
  export AZURITE_ARGS
  start_private_azurite
  export BENCH_AZURITE_PID=$AZURITE_PID BENCH_CONNECTION_STRING=$AZURITE_CONNECTION_STRING
  start_app
  echo "  Azure.Data.Tables batch upsert, $SDK_ENTITIES entities into this Azurite..." >&2
  sdk=$(BENCH_TABLE=sdkpeer BENCH_ENTITIES=$SDK_ENTITIES dotnet "$BENCH_DLL" table-upsert)
  echo "  sdk: $sdk" >&2
  step "$format" catalog >/dev/null
  load=$(step "$format" load "$format")
  printf -v "SDK_$format" '%s' "$sdk"
  printf -v "LOAD_$format" '%s' "$load"
}

echo "== JSON: $BENCH_OBSERVATIONS observations, $BENCH_BODY_ROWS rows a body =="
session json
RESEND=$(step json resend)
REVISE=$(step json revise)
stop_app
stop_azurite || true

echo "== CSV: $BENCH_OBSERVATIONS observations, $BENCH_BODY_ROWS rows a body =="
session csv
stop_app
stop_azurite || true

# ---- summary ----
f() { echo "$1" | grep -o "\"$2\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }
# shellcheck disable=SC2154 # SDK_json, LOAD_json, SDK_csv and LOAD_csv are set by session (printf -v)
ratio_json=$(calc %.2f "$(f "$LOAD_json" observationsPerSecond) / $(f "$SDK_json" entitiesPerSecond)")
# shellcheck disable=SC2154
ratio_csv=$(calc %.2f "$(f "$LOAD_csv" observationsPerSecond) / $(f "$SDK_csv" entitiesPerSecond)")
line() { # label, step JSON, sdk JSON (optional)
  local per=""
  [ -n "${BENCH_AZURITE_DEBUG:-}" ] && per=", $(calc %.3f "$(f "$2" azuriteRequests) / $(f "$2" observations)") Azurite requests per observation"
  echo "$1: $(f "$2" observations) observations in $(f "$2" seconds) s = $(f "$2" observationsPerSecond) observations/s; CPU: app $(f "$2" appCpuSeconds) s, Azurite $(f "$2" azuriteCpuSeconds) s ($(calc %.0f "100 * $(f "$2" azuriteCpuSeconds) / $(f "$2" seconds)")% of its one core)$per"
}

cat <<SUMMARY

================ IndicatorFunctions ingestion benchmark ================
machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); .NET $(dotnet --version), $(f "$SDK_json" client), Node $(node --version), Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory
load average: $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after
data: $BENCH_OBSERVATIONS observations (indicators x $BENCH_DISTRICTS districts x $((1 + BENCH_SECTORS)) series x $BENCH_YEARS years), seed $BENCH_SEED, $BENCH_BODY_ROWS rows a body, one body at a time${BENCH_AZURITE_DEBUG:+; Azurite debug log on (rates slowed)}
JSON session (fresh Azurite):
  raw Azure.Data.Tables batch upsert ($SDK_ENTITIES entities, 100-op transactions, 4 in flight): $(f "$SDK_json" entitiesPerSecond) entities/s
  $(line "load" "$LOAD_json")
  load / raw = $ratio_json   (target >= 0.60: $(met "$ratio_json" 0.60))
  $(line "re-send, every row unchanged" "$RESEND")
  $(line "1% revisions" "$REVISE")
CSV session (fresh Azurite):
  raw Azure.Data.Tables batch upsert ($SDK_ENTITIES entities, 100-op transactions, 4 in flight): $(f "$SDK_csv" entitiesPerSecond) entities/s
  $(line "load" "$LOAD_csv")
  load / raw = $ratio_csv   (target >= 0.60: $(met "$ratio_csv" 0.60))
========================================================================
SUMMARY
