#!/usr/bin/env bash
# Builds the deployable function app zip, laid out as Azure Functions expects for a custom handler:
# host.json at the root, one folder per function with its function.json, and the self-contained
# linux-x64 handler executable named in host.json. Usage: scripts/publish.sh [zip path]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
zip=$(realpath -m "${1:-$ROOT/out/functionapp.zip}")
publish_dir="$(dirname "$zip")/publish"
rm -rf "$publish_dir" "$zip"
dotnet publish "$ROOT/functions/IndicatorFunctions/IndicatorFunctions.csproj" --nologo -c Release \
  -r linux-x64 --self-contained -o "$publish_dir" -p:FunctionAppZip="$zip"
echo "$zip"
