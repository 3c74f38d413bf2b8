#!/usr/bin/env bash
# Builds the deployable function app zip in the isolated-worker layout Azure Functions expects: host.json,
# functions.metadata, worker.config.json and extensions.json at the root beside IndicatorFunctions.dll
# (framework-dependent: the Functions host provides the .NET runtime). Usage: scripts/publish.sh [zip path]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
# The build embeds the dashboard's chart library from node_modules (npm's chart.js, pinned in package.json).
ensure_npm >&2
zip=$(realpath -m "${1:-$ROOT/out/functionapp.zip}")
publish_dir="$(dirname "$zip")/publish"
rm -rf "$publish_dir" "$zip"
dotnet publish "$ROOT/functions/IndicatorFunctions/IndicatorFunctions.csproj" --nologo -c Release \
  -o "$publish_dir" -p:FunctionAppZip="$zip"
echo "$zip"
