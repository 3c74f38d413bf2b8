#!/usr/bin/env bash
# Extraction benchmark (not a test): BenchmarkDotNet, one thread, every article in BENCH_ARTICLES (default: the
# test fixtures); prints articles per second per core.
#   bash scripts/bench-extraction.sh [BenchmarkDotNet options]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dotnet build "$ROOT/bench/IndicatorFunctions.Bench" -c Release --nologo -v q >/dev/null
cd "$ROOT" && dotnet "$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll" extraction "$@"
