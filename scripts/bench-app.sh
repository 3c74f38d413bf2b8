# Shared by the benchmark scripts: the built app (Release), standalone, from its own folder (as the Functions host
# starts it: appsettings.json applies and no local.settings.json is picked up), on a free port, against
# $AZURITE_CONNECTION_STRING, with the timer off so only the benchmark's runs run. Extra settings: start_app NAME=VALUE...
# Needs APP_DIR and WORK; sets APP_PID, BENCH_APP_URL and BENCH_APP_PID.
APP_PID=
stop_app() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=; fi
  return 0
}

start_app() {
  local port
  port=$(free_port)
  (cd "$APP_DIR" && exec env AzureWebJobsStorage="$AZURITE_CONNECTION_STRING" AdminApiKey=bench \
    AzureWebJobs__NightlyAggregation__Disabled=true "$@" \
    dotnet IndicatorFunctions.dll --urls "http://127.0.0.1:$port") >>"$WORK/app.log" 2>&1 &
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
