#!/usr/bin/env bash
# The run command (local mode; `func start` in functions/IndicatorFunctions where Core Tools exist): Azurite (persistent, in .azurite/, or the one already listening), the function app
# on http://127.0.0.1:7071, the sample data loaded when storage is empty, the sample sources registered (a
# local sample source server for the http ones, a dropped file for the blob-drop one), and one run that
# collects from them and aggregates.
# Ctrl+C stops what it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/azurite.sh"
cd "$ROOT"
URL=http://127.0.0.1:7071

ensure_npm
[ -f local.settings.json ] || { cp local.settings.sample.json local.settings.json; echo "created local.settings.json from local.settings.sample.json"; }

APP_PID='' SOURCE_PID=''
# Under set -e, "wait" on a process a signal ended returns non-zero: each step must not end the cleanup early.
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$SOURCE_PID" ]; then kill "$SOURCE_PID" 2>/dev/null || true; wait "$SOURCE_PID" 2>/dev/null || true; fi
  stop_azurite
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if port_open 10000 && port_open 10002; then
  echo "Azurite: reusing the emulator already listening on 127.0.0.1:10000/10002"
else
  mkdir -p .azurite
  node_modules/.bin/azurite --location .azurite --silent --disableTelemetry \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >.azurite/azurite.log 2>&1 &
  AZURITE_PID=$!
  { wait_port 10000 30 && wait_port 10002 30; } || { echo "Azurite did not start; see .azurite/azurite.log" >&2; exit 1; }
  echo "Azurite: started (data in .azurite/, log in .azurite/azurite.log)"
fi

if port_open 7071; then echo "Port 7071 is already in use: stop the other app first." >&2; exit 1; fi
dotnet build functions/IndicatorFunctions --nologo -v q -c Debug
# The built app itself, not `dotnet run` (whose child outlived it on Ctrl+C), so the cleanup below stops the very
# process that listens. Background jobs of a script ignore SIGINT; the trap's SIGTERM is what stops them. Local mode,
# the same functions the Functions host would serve, since Core Tools cannot be installed here.
# The sample source server is on loopback, which sources may reach only when allowed: 127.0.0.1 is added to
# whatever the environment or local.settings.json allows.
setting() { node -e 'try{const v=JSON.parse(require("fs").readFileSync("local.settings.json","utf8")).Values||{};process.stdout.write(v[process.argv[1]]||"")}catch{}' "$1"; }
ALLOWED=${Collection__AllowedPrivateHosts:-$(setting Collection__AllowedPrivateHosts)}
Collection__AllowedPrivateHosts=${ALLOWED:+$ALLOWED,}127.0.0.1 \
  dotnet functions/IndicatorFunctions/bin/Debug/net10.0/IndicatorFunctions.dll --local --urls "$URL" &
APP_PID=$!
for _ in $(seq 1 150); do curl -sf -o /dev/null "$URL/api/health" && break; sleep 0.2; done
curl -sf -o /dev/null "$URL/api/health" || { echo "The app did not answer /api/health; see its log above." >&2; exit 1; }

# A fixed port when it is free, so the sample sources' URLs (and so their definitions and ETags) stay the same
# from one start to the next and the second start shows 304s.
SOURCE_PORT=7072
port_open "$SOURCE_PORT" && SOURCE_PORT=$(free_port)
node scripts/sample-source.mjs "$SOURCE_PORT" &
SOURCE_PID=$!
wait_port "$SOURCE_PORT" 10 || { echo "The sample source server did not start." >&2; exit 1; }

echo
# The sample goes in through the public API, as any client's data would; then one run that collects and aggregates.
ADMIN_KEY=$(setting AdminApiKey) STORAGE_CONNECTION=${AzureWebJobsStorage:-$(setting AzureWebJobsStorage)} \
  SAMPLE_SOURCE_URL=http://127.0.0.1:$SOURCE_PORT APP_URL=$URL node scripts/load-sample.mjs
cat <<MSG

IndicatorFunctions is up at $URL  (Ctrl+C stops it). The dashboard: $URL/api/dashboard
Try:
  curl $URL/api/health
  curl '$URL/api/districts/xuhui/indicators/gdp/series?from=2019&to=2022'
  curl $URL/api/indicators/gdp/periods/2021
  curl $URL/api/clusters/ai-industry/indicators/output/rollups
  curl $URL/api/runs
  curl -H "x-functions-key: <AdminApiKey>" $URL/api/sources
  curl -X POST -H "x-functions-key: <AdminApiKey>" -H "content-type: application/json" '$URL/api/runs?wait=true' -d '{"collect":true}'
Sample source server: http://127.0.0.1:$SOURCE_PORT/ (samples/sources/http/); drop files into container analyst-drop, prefix incoming/.
More examples: functions/IndicatorFunctions/requests.http
MSG
wait "$APP_PID"
