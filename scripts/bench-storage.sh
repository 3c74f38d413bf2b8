#!/usr/bin/env bash
# Storage benchmark (not a test): batch-upsert 50,000 entities (20 partitions, 100-op batches, 4 in flight)
# into Azurite with our Table client and with the official @azure/data-tables SDK, on identical data.
# Each round gets a fresh in-memory Azurite that both clients write to; round 1 runs ours first and the order
# alternates after that: the first writer into a fresh Azurite is measurably faster, so an even number of
# rounds gives each side that advantage equally. Prints entities/s, each client's own CPU seconds, and the
# median over rounds of the per-round ratio ours/official.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
cd "$ROOT"
rounds=${BENCH_ROUNDS:-6}
(( rounds % 2 == 0 )) || { echo "BENCH_ROUNDS must be even, so each client goes first equally often" >&2; exit 2; }
export BENCH_ENTITIES=${BENCH_ENTITIES:-50000} BENCH_PARTITIONS=${BENCH_PARTITIONS:-20} BENCH_BATCH=${BENCH_BATCH:-100} BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-4}

ensure_npm
dotnet build bench/IndicatorFunctions.Bench -c Release --nologo -v q >/dev/null
trap stop_azurite EXIT

field() { echo "$1" | grep -o "\"$2\":[0-9.]*" | cut -d: -f2; }
run_ours() { BENCH_TABLE=benchours dotnet bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll table-upsert; }
run_sdk() { BENCH_TABLE=benchsdk node bench/sdk-upsert.mjs; }

ours=() sdk=() ours_cpu=() sdk_cpu=() ratios=() ours_first=() sdk_first=() ours_second=() sdk_second=()
for ((r = 1; r <= rounds; r++)); do
  start_private_azurite
  export BENCH_CONNECTION_STRING=$AZURITE_CONNECTION_STRING
  if ((r % 2)); then o=$(run_ours); s=$(run_sdk); else s=$(run_sdk); o=$(run_ours); fi
  stop_azurite
  echo "round $r  ours: $o"
  echo "round $r  sdk:  $s"
  ours+=("$(field "$o" entitiesPerSecond)") ours_cpu+=("$(field "$o" cpuSeconds)")
  sdk+=("$(field "$s" entitiesPerSecond)") sdk_cpu+=("$(field "$s" cpuSeconds)")
  ratios+=("$(awk -v o="${ours[-1]}" -v s="${sdk[-1]}" 'BEGIN { printf "%.3f", o / s }')")
  if ((r % 2)); then ours_first+=("${ours[-1]}") sdk_second+=("${sdk[-1]}"); else sdk_first+=("${sdk[-1]}") ours_second+=("${ours[-1]}"); fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mo=$(median "${ours[@]}") ms=$(median "${sdk[@]}")
echo "median of $rounds rounds: $BENCH_ENTITIES entities, $BENCH_PARTITIONS partitions, batches of $BENCH_BATCH, $BENCH_CONCURRENCY in flight"
echo "  ours:     $mo entities/s, client CPU $(median "${ours_cpu[@]}") s"
echo "  official: $ms entities/s, client CPU $(median "${sdk_cpu[@]}") s"
echo "  ratio ours/official per round: ${ratios[*]}"
echo "  median ratio ours/official: $(median "${ratios[@]}") (target >= 1.0)"
# Same position, same emulator state: the comparison the order effect cannot tilt.
awk -v of="$(median "${ours_first[@]}")" -v sf="$(median "${sdk_first[@]}")" -v os="$(median "${ours_second[@]}")" -v ss="$(median "${sdk_second[@]}")" \
  'BEGIN { printf "  writing first:  ours %d vs official %d entities/s, ratio %.2f\n  writing second: ours %d vs official %d entities/s, ratio %.2f\n", of, sf, of / sf, os, ss, os / ss }'
