# shellcheck shell=bash
# Shared by the benchmark scripts: the built app (Release) in local mode (`--local`: the app's functions served by
# the app itself, as `func start` would serve them; Core Tools cannot be installed here), from its own folder (so no
# local.settings.json is picked up: every setting comes from the environment below), on a free port, against
# $AZURITE_CONNECTION_STRING, with the admin key "bench" and the timer off so only the benchmark's runs run.
# Extra settings: start_app NAME=VALUE...  APP_ARGS replaces "--local" (bench-replatform.sh sets it empty for the
# pre-isolated-worker baseline build, which ran standalone without the flag).
# Needs APP_DIR and WORK; sets APP_PID, BENCH_APP_URL and BENCH_APP_PID.
APP_PID=
stop_app() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=; fi
  return 0
}

start_app() {
  local port
  port=$(free_port)
  # shellcheck disable=SC2086 # APP_ARGS is a flag list
  (cd "$APP_DIR" && exec env AzureWebJobsStorage="$AZURITE_CONNECTION_STRING" AdminApiKey=bench \
    AzureWebJobs__NightlyAggregation__Disabled=true "$@" \
    dotnet IndicatorFunctions.dll ${APP_ARGS---local} --urls "http://127.0.0.1:$port") >>"$WORK/app.log" 2>&1 &
  APP_PID=$!
  export BENCH_APP_URL=http://127.0.0.1:$port BENCH_APP_PID=$APP_PID
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$BENCH_APP_URL/api/health" && return 0
    kill -0 "$APP_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the app did not answer /api/health; see $WORK/app.log" >&2
  return 1
}
