# shellcheck shell=bash
# Shared helpers for the run, test and bench scripts: npm install, free ports, Azurite start/stop.
# Sourced, not executed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

# Installs the pinned npm packages when missing or out of date: Azurite, the Blob SDK the run command drops the sample
# file with, chart.js (which the app's build embeds for the dashboard) and playwright-core (the dashboard's browser test).
ensure_npm() {
  if [ ! -x "$ROOT/node_modules/.bin/azurite" ] || [ ! -f "$ROOT/node_modules/chart.js/package.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    echo "installing npm packages (npm ci: azurite, @azure/storage-blob, @action-validator/cli, chart.js, playwright-core)..."
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port, seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do port_open "$1" && return 0; sleep 0.1; done
  return 1
}

azurite_connection_string() { # blobPort queuePort tablePort
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$2/devstoreaccount1;TableEndpoint=http://127.0.0.1:$3/devstoreaccount1;"
}

# Starts a private in-memory Azurite on free ports (AZURITE_ARGS: extra flags); sets AZURITE_PID and AZURITE_CONNECTION_STRING.
start_private_azurite() {
  local blob queue table
  blob=$(free_port) queue=$(free_port) table=$(free_port)
  # shellcheck disable=SC2086 # AZURITE_ARGS: extra flags (bench-ingest.sh's --debug FILE), split on spaces
  "$ROOT/node_modules/.bin/azurite" --inMemoryPersistence --silent --disableTelemetry ${AZURITE_ARGS:-} \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >"${AZURITE_LOG:-/dev/null}" 2>&1 &
  AZURITE_PID=$!
  if ! wait_port "$blob" 30 || ! wait_port "$table" 30; then
    echo "Azurite did not start listening on ports $blob/$table" >&2
    return 1
  fi
  AZURITE_CONNECTION_STRING=$(azurite_connection_string "$blob" "$queue" "$table")
  export AZURITE_CONNECTION_STRING
}

stop_azurite() {
  if [ -n "${AZURITE_PID:-}" ]; then kill "$AZURITE_PID" 2>/dev/null || true; wait "$AZURITE_PID" 2>/dev/null || true; AZURITE_PID=; fi
  return 0
}
