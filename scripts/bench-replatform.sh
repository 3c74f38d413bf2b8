#!/usr/bin/env bash
# Re-platform benchmark (not a test): the baseline build (BENCH_BASELINE_REV, default 9bd4fc4: hand-written storage
# clients, standalone host) against the current build (isolated worker, Azure.Data.Tables / Azure.Storage.Blobs, local
# mode), side by side in one run: the same private in-memory Azurite, the same synthetic data, the same driver
# (IndicatorFunctions.Bench pipeline, built from this tree, for both apps).
#  1. A git worktree of the baseline in BENCH_BASELINE_DIR (default /tmp/bench-baseline); both apps built (Release).
#  2. One Azurite. Sessions in BENCH_ORDER (default "baseline current current baseline": each build once early and
#     once late, so a growing emulator does not favour either), each with its own StoragePrefix so no session sees
#     another's tables: start the app, load the synthetic catalog and observations through POST /api/observations,
#     restart the app (a cold full run, as in bench-pipeline.sh), one full run (POST /api/runs?wait=true), stop it.
#     Per session: (a) entities/s written by the full run (growth + rollups over the run's durationMs), (b)
#     observations/s loaded, (c) the app process's CPU seconds (utime + stime from /proc/PID/stat) per 10k entities
#     written in the full run (and per 10k observations loaded).
#  3. Once, in the same Azurite: (d) the raw Azure.Data.Tables batch-upsert rate (IndicatorFunctions.Bench
#     table-upsert: BENCH_UPSERT_ENTITIES over 20 partitions, 100-op transactions, 4 in flight, as the app writes).
# Prints a table, each build's mean, and current/baseline ratios (target for (a) and (b): >= 0.80).
# About 6-8 minutes on 2 cores with the defaults. Smoke run (~2 minutes, mostly builds):
#   BENCH_OBSERVATIONS=4000 BENCH_UPSERT_ENTITIES=5000 bash scripts/bench-replatform.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-app.sh"
cd "$ROOT"

BASE_REV=${BENCH_BASELINE_REV:-9bd4fc4}
BASE_DIR=${BENCH_BASELINE_DIR:-/tmp/bench-baseline}
ORDER=${BENCH_ORDER:-baseline current current baseline}
export BENCH_OBSERVATIONS=${BENCH_OBSERVATIONS:-40000}
export BENCH_DISTRICTS=${BENCH_DISTRICTS:-50} BENCH_YEARS=${BENCH_YEARS:-20} BENCH_SECTORS=${BENCH_SECTORS:-1} BENCH_SEED=${BENCH_SEED:-42}
export BENCH_BODY_ROWS=${BENCH_BODY_ROWS:-5000} BENCH_ADMIN_KEY=bench
UPSERT_ENTITIES=${BENCH_UPSERT_ENTITIES:-50000}
CURRENT_APP_DIR=$ROOT/functions/IndicatorFunctions/bin/Release/net10.0
BASE_APP_DIR=$BASE_DIR/functions/IndicatorFunctions/bin/Release/net10.0
BENCH_DLL=$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-replatform.XXXXXX")
export AZURITE_LOG=$WORK/azurite.log
WORKTREE=
remove_worktree() {
  if [ -n "$WORKTREE" ]; then git -C "$ROOT" worktree remove --force "$WORKTREE" 2>/dev/null || rm -rf "$WORKTREE"; git -C "$ROOT" worktree prune; WORKTREE=; fi
  return 0
}
# "|| true": a process that already died must not stop the cleanup under set -e.
cleanup() { stop_app || true; stop_azurite || true; remove_worktree || true; echo "logs: $WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_npm
BASE_SHA=$(git rev-parse --verify "$BASE_REV^{commit}")
CURRENT_SHA=$(git rev-parse HEAD)
CURRENT_DIRTY=""
if git status --porcelain --untracked-files=no -- functions | grep -q .; then CURRENT_DIRTY=" + uncommitted changes under functions/"; fi

echo "baseline worktree: $BASE_DIR at ${BASE_SHA:0:7}"
# A leftover from an interrupted run (or anything else at that path) is replaced.
git worktree remove --force "$BASE_DIR" 2>/dev/null || true
rm -rf "$BASE_DIR"
git worktree prune
git worktree add --detach --quiet "$BASE_DIR" "$BASE_SHA"
WORKTREE=$BASE_DIR

echo "building (Release): baseline app, current app + bench driver..."
(cd "$BASE_DIR" && dotnet build functions/IndicatorFunctions -c Release --nologo -v q) >"$WORK/build-baseline.log" 2>&1 \
  || { echo "baseline build failed; see $WORK/build-baseline.log" >&2; exit 1; }
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >"$WORK/build-current.log" 2>&1 \
  || { echo "current build failed; see $WORK/build-current.log" >&2; exit 1; }

field() { echo "$1" | grep -o "\"$2\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
cpu_seconds() { awk '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / 100 }' "/proc/$1/stat"; } # utime + stime, ticks of 1/100 s
step() { # pipeline step against the running app; progress to stderr, the JSON line on stdout
  local out
  out=$(dotnet "$BENCH_DLL" pipeline "$1")
  echo "    $1: $out" >&2
  echo "$out"
}

start_private_azurite
export BENCH_AZURITE_PID=$AZURITE_PID BENCH_CONNECTION_STRING=$AZURITE_CONNECTION_STRING
echo "Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory, pid $AZURITE_PID"

ROWS=() n=0
for build in $ORDER; do
  n=$((n + 1))
  case $build in
    baseline) APP_DIR=$BASE_APP_DIR APP_ARGS='' prefix=base$n ;;
    current) APP_DIR=$CURRENT_APP_DIR prefix=cur$n; unset APP_ARGS ;;
    *) echo "BENCH_ORDER: unknown build '$build' (baseline|current)" >&2; exit 2 ;;
  esac
  echo "== session $n: $build (StoragePrefix=$prefix) =="
  echo "--- session $n: $build ---" >>"$WORK/app.log"
  start_app StoragePrefix="$prefix"
  cpu0=$(cpu_seconds "$APP_PID")
  LOAD=$(step load)
  load_cpu=$(calc %.2f "$(cpu_seconds "$APP_PID") - $cpu0")
  stop_app
  start_app StoragePrefix="$prefix"
  FULL=$(step run-full)
  stop_app
  [ "$(field "$FULL" status)" = succeeded ] || { echo "session $n ($build): the full run did not succeed: $FULL" >&2; exit 1; }
  obs=$(field "$LOAD" observations) written=$(( $(field "$FULL" growthWritten) + $(field "$FULL" rollupsWritten) ))
  app_cpu=$(field "$FULL" appCpuSeconds)
  # build n obs/s load-cpu/10k-obs entities full-eps durationMs app-cpu cpu/10k azurite-cpu
  ROWS+=("$build $n $(field "$LOAD" observationsPerSecond) $(calc %.3f "$load_cpu * 10000 / $obs") $written $(field "$FULL" entitiesPerSecond) $(field "$FULL" durationMs) $app_cpu $(calc %.3f "$app_cpu * 10000 / $written") $(field "$FULL" azuriteCpuSeconds)")
  LAST_LOAD=$LOAD
done

echo "== raw Azure.Data.Tables batch upsert: $UPSERT_ENTITIES entities, 20 partitions, 100-op transactions, 4 in flight =="
UPSERT=$(BENCH_TABLE=rawupsert BENCH_ENTITIES=$UPSERT_ENTITIES BENCH_PARTITIONS=20 BENCH_BATCH=100 BENCH_CONCURRENCY=4 dotnet "$BENCH_DLL" table-upsert)
echo "    table-upsert: $UPSERT"
stop_azurite || true

# ---- summary ----
mean() { # build column -> mean of that column over the build's sessions
  printf '%s\n' "${ROWS[@]}" | awk -v b="$1" -v c="$2" '$1 == b { s += $c; n++ } END { printf (n ? "%.3f" : "nan"), (n ? s / n : 0) }'
}
met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }
raw_eps=$(field "$UPSERT" entitiesPerSecond)
b_obs=$(mean baseline 3) c_obs=$(mean current 3)
b_eps=$(mean baseline 6) c_eps=$(mean current 6)
b_cpu=$(mean baseline 9) c_cpu=$(mean current 9)
b_lcpu=$(mean baseline 4) c_lcpu=$(mean current 4)
r_eps=$(calc %.2f "$c_eps / $b_eps") r_obs=$(calc %.2f "$c_obs / $b_obs")

echo
echo "================ IndicatorFunctions re-platform benchmark ================"
echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); .NET $(dotnet --version); Azurite $(node -p 'require("./node_modules/azurite/package.json").version') in memory, one instance for all sessions"
echo "baseline: ${BASE_SHA:0:7} (standalone, hand-written storage clients); current: ${CURRENT_SHA:0:7}$CURRENT_DIRTY (isolated worker, --local, Azure.Data.Tables / Azure.Storage.Blobs)"
echo "data: $(field "$LAST_LOAD" observations) observations = $(field "$LAST_LOAD" indicators) indicators x $BENCH_DISTRICTS districts x $((1 + BENCH_SECTORS)) series x $BENCH_YEARS years, seed $BENCH_SEED; $BENCH_BODY_ROWS rows per POST /api/observations body"
echo
printf '%-3s %-9s %12s %13s %10s %13s %11s %10s %13s %12s\n' "#" build "(b) obs/s" "load CPU/10k" entities "(a) ent/s" "run ms" "app CPU s" "(c) CPU/10k" "Azurite CPU"
for row in "${ROWS[@]}"; do
  read -r b n obs lcpu ent eps ms cpu c10k az <<<"$row"
  printf '%-3s %-9s %12s %13s %10s %13s %11s %10s %13s %12s\n' "$n" "$b" "$obs" "$lcpu" "$ent" "$eps" "$ms" "$cpu" "$c10k" "$az"
done
printf '%-13s %12.0f %13.3f %10s %13.0f %11s %10s %13.3f\n' "mean baseline" "$b_obs" "$b_lcpu" "" "$b_eps" "" "" "$b_cpu"
printf '%-13s %12.0f %13.3f %10s %13.0f %11s %10s %13.3f\n' "mean current" "$c_obs" "$c_lcpu" "" "$c_eps" "" "" "$c_cpu"
echo
echo "(d) raw $(field "$UPSERT" client) batch upsert into the same Azurite, after the sessions: $raw_eps entities/s"
echo "    ($UPSERT_ENTITIES entities, 20 partitions, 100-op transactions, 4 in flight; client CPU $(field "$UPSERT" cpuSeconds) s = $(field "$UPSERT" cpuSecondsPer10k) s per 10k)"
echo "    full-run entities/s / raw upsert entities/s: baseline $(calc %.2f "$b_eps / $raw_eps"), current $(calc %.2f "$c_eps / $raw_eps")"
echo
echo "current / baseline (means):"
echo "  (a) full-run entities/s:       $r_eps   (target >= 0.80: $(met "$r_eps" 0.80))"
echo "  (b) ingestion observations/s:  $r_obs   (target >= 0.80: $(met "$r_obs" 0.80))"
echo "  (c) app CPU s per 10k entities: $(calc %.2f "$c_cpu / $b_cpu") (lower is cheaper; baseline $b_cpu s, current $c_cpu s)"
echo "      app CPU s per 10k observations loaded: $(calc %.2f "$c_lcpu / $b_lcpu") (baseline $b_lcpu s, current $c_lcpu s)"
echo "=========================================================================="
