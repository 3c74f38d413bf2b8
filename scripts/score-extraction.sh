#!/usr/bin/env bash
# Precision and recall of the press-release extractor on hand-annotated articles (not a test; the test
# ExtractionQualityTests asserts the targets on the project's own annotated set).
#   bash scripts/score-extraction.sh GOLD.jsonl ARTICLES_DIR
# GOLD.jsonl: one JSON object a line, {"article": "<file name>", "kind", "period", "value", "unit", ...} per fact and
# optionally {"article": ..., "published": "YYYY[-MM[-DD]]"} per article (see the README, "Press releases").
# Example: bash scripts/score-extraction.sh tests/IndicatorFunctions.Tests/Extraction/Fixtures/gold.jsonl tests/IndicatorFunctions.Tests/Extraction/Fixtures
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 GOLD.jsonl ARTICLES_DIR" >&2; exit 2; }
GOLD=$(realpath "$1") ARTICLES=$(realpath "$2")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dotnet build "$ROOT/bench/IndicatorFunctions.Bench" -c Release --nologo -v q >/dev/null
dotnet "$ROOT/bench/IndicatorFunctions.Bench/bin/Release/net10.0/IndicatorFunctions.Bench.dll" score-extraction "$GOLD" "$ARTICLES"
