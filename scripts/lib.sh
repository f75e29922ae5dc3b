# Shell helpers shared by scripts/test, scripts/bootstrap and scripts/lambda-smoke.
# Sourced, never run. Callers use `set -euo pipefail`.

# The repository root, whatever directory the caller was started from.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# Background services this shell started, by process-group id (see start_service).
SERVICE_PGIDS=()

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Step banners with the time each step took, so a slow CI run shows where the time went.
STEP_NAME=""
STEP_START=0
TIMINGS=()
step() {
  step_done
  STEP_NAME="$1"
  STEP_START=$SECONDS
  printf '\n==> %s\n' "$STEP_NAME" >&2
}
step_done() {
  if [ -n "$STEP_NAME" ]; then
    local took=$((SECONDS - STEP_START))
    TIMINGS+=("$(printf '%5ds  %s' "$took" "$STEP_NAME")")
    printf '<== %s: ok (%ds)\n' "$STEP_NAME" "$took" >&2
    STEP_NAME=""
  fi
}
print_timings() {
  [ ${#TIMINGS[@]} -gt 0 ] || return 0
  printf '\nStep times:\n' >&2
  printf '  %s\n' "${TIMINGS[@]}" >&2
}

# Free space where cargo writes, and what the target dir holds: a build that dies with
# "No space left on device" should say so in the log without a second run.
disk_report() {
  local dir="${CARGO_TARGET_DIR:-$ROOT/target}"
  local free used="none yet"
  free=$(df -Ph "$ROOT" | awk 'NR == 2 { print $4 }')
  [ -d "$dir" ] && used=$(du -sh "$dir" 2>/dev/null | cut -f1)
  log "disk: $free free on the filesystem of $ROOT; target dir $dir: $used"
}

# Fake credentials and a region for everything AWS-shaped: without them the Rust SDK
# and boto3 go looking for instance metadata and stall, and sam validate refuses to run.
# Nothing here may ever reach a real AWS account.
use_fake_aws_env() {
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN=test
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_EC2_METADATA_DISABLED=true
  unset AWS_PROFILE
  # sam: no telemetry, no update check (no network beyond package registries).
  export SAM_CLI_TELEMETRY=0 SAM_CLI_DISABLE_VERSION_CHECK=1
}

use_venv() {
  [ -x "$VENV/bin/python" ] || die "$VENV is missing: run scripts/bootstrap"
  export VIRTUAL_ENV="$VENV"
  export PATH="$VENV/bin:$PATH"
}

# A TCP port nobody listens on right now (the kernel picks it).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_tcp PORT SECONDS PGID NAME: wait until something accepts connections on
# 127.0.0.1:PORT. A TCP connect only: for `cargo lambda watch` an HTTP request would be
# an invocation. Fails early if the service's process group has died.
wait_for_tcp() {
  local port="$1" limit="$2" pgid="$3" name="$4" waited=0
  until python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$port" 2>/dev/null; do
    kill -0 -- "-$pgid" 2>/dev/null || die "$name exited before accepting connections on port $port"
    [ "$waited" -lt "$limit" ] || die "$name did not accept connections on port $port within ${limit}s"
    sleep 1
    waited=$((waited + 1))
  done
}

# start_service LOGFILE CMD...: start CMD in its own session (so its process group id is
# its pid) with output to LOGFILE, record it for stop_services, and set SERVICE_PGID.
# Its own process group lets stop_services reach the children it spawns too
# (cargo lambda watch runs cargo, which runs the function binaries).
start_service() {
  local logfile="$1"
  shift
  setsid "$@" </dev/null >"$logfile" 2>&1 &
  SERVICE_PGID=$!
  SERVICE_PGIDS+=("$SERVICE_PGID")
}

# run CMD...: run CMD in the foreground, but in its own session, and wait for it. A
# signal to this script then interrupts the wait at once (bash defers traps while a
# plain foreground command runs) and on_exit stops CMD with everything it spawned.
run() {
  local pid status=0 kept=() p
  setsid "$@" &
  pid=$!
  SERVICE_PGIDS+=("$pid")
  wait "$pid" || status=$?
  for p in "${SERVICE_PGIDS[@]}"; do
    [ "$p" = "$pid" ] || kept+=("$p")
  done
  SERVICE_PGIDS=(${kept[@]+"${kept[@]}"})
  return "$status"
}

# Stop every service this shell started and wait until they are gone: TERM, then KILL
# for whatever is still there after five seconds. Safe to call more than once.
stop_services() {
  local pgid tries
  [ ${#SERVICE_PGIDS[@]} -gt 0 ] || return 0
  for pgid in "${SERVICE_PGIDS[@]}"; do
    kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  for pgid in "${SERVICE_PGIDS[@]}"; do
    tries=0
    while kill -0 -- "-$pgid" 2>/dev/null && [ "$tries" -lt 50 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    wait "$pgid" 2>/dev/null || true
  done
  SERVICE_PGIDS=()
}

# Exit traps: stop services on every path. On INT/TERM exit with the usual status, which
# runs the EXIT trap once more (harmless: stop_services is idempotent).
on_exit() {
  local status=$?
  stop_services
  if [ -n "$STEP_NAME" ] && [ "$status" -ne 0 ]; then
    printf '<== %s: FAILED after %ds (exit %d)\n' "$STEP_NAME" "$((SECONDS - STEP_START))" "$status" >&2
    STEP_NAME=""
    disk_report

  fi
  exit "$status"
}
install_traps() {
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# start_moto: moto_server on a free 127.0.0.1 port; exports the endpoint for the tests
# (AUDITBRIDGE_TEST_SQS_ENDPOINT) and for every AWS SDK started from here (AWS_ENDPOINT_URL_SQS).
start_moto() {
  local port logdir="$1"
  port="$(free_port)"
  start_service "$logdir/moto.log" moto_server -H 127.0.0.1 -p "$port"
  wait_for_tcp "$port" 60 "$SERVICE_PGID" "moto_server (log: $logdir/moto.log)"
  export AUDITBRIDGE_TEST_SQS_ENDPOINT="http://127.0.0.1:$port"
  export AWS_ENDPOINT_URL_SQS="$AUDITBRIDGE_TEST_SQS_ENDPOINT"
  log "moto_server listening on $AUDITBRIDGE_TEST_SQS_ENDPOINT (log: $logdir/moto.log)"
}
