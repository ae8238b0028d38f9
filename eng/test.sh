#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs and starts what the tests need (PostgreSQL 15 on a
# free loopback port, as an unprivileged user when run as root), runs `dotnet test`, stops everything, and
# ends with one summary line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)

log() { printf '[test.sh] %s\n' "$*" >&2; }

# --- PostgreSQL -------------------------------------------------------------------------------------------
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=""
pg_user=""
stop_postgres() {
  local dir=$pg_dir
  pg_dir=""
  if [ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    if [ -n "$pg_user" ]; then su "$pg_user" -s /bin/sh -c "$pg_bin/pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    else "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  fi
  [ -n "$dir" ] && rm -rf "$dir"
  [ -n "${output:-}" ] && rm -f "$output"
  return 0
}
trap stop_postgres EXIT

apt_updated=""
apt_install() {
  # Debian's packages, as root or through passwordless sudo; the package lists are refreshed once per run.
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo -n)
  if [ -z "$apt_updated" ]; then
    "${sudo[@]}" apt-get update -qq >/dev/null || return 1
    apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres_installed() {
  [ -x "$pg_bin/initdb" ] && return 0
  log "installing PostgreSQL 15 from Debian's packages"
  apt_install postgresql-15
}

free_port() {
  # A random high port nobody answers on; parallel runs pick different ones.
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

start_postgres() {
  ensure_postgres_installed || return 1
  pg_dir=$(mktemp -d /tmp/orchestrator-pg.XXXXXX)
  local port; port=$(free_port)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: use an unprivileged user made for the purpose.
    pg_user=orchestrator_pg
    id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
    chown "$pg_user" "$pg_dir"
    run=(su "$pg_user" -s /bin/sh -c)
  else
    run=(sh -c)
  fi
  "${run[@]}" "$pg_bin/initdb -D '$pg_dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$pg_dir/initdb.log' 2>&1"
  "${run[@]}" "$pg_bin/pg_ctl -D '$pg_dir/data' -l '$pg_dir/server.log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $port -k '$pg_dir' -c fsync=off -c synchronous_commit=off -c max_connections=200\" start >/dev/null"
  export ORCHESTRATOR_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  log "PostgreSQL listening on 127.0.0.1:$port"
}

if ! start_postgres; then
  if [ "${CI:-}" = "true" ]; then
    log "PostgreSQL could not be started and CI=true: failing"
    exit 1
  fi
  log "PostgreSQL could not be started; tests that need it will fail"
fi

# --- Chromium (browser tests drive Debian's Chromium headless through Playwright) ----------------------------
chromium_bin=/usr/bin/chromium
if [ ! -x "$chromium_bin" ]; then
  log "installing Chromium from Debian's packages"
  if ! apt_install chromium; then
    if [ "${CI:-}" = "true" ]; then
      log "Chromium could not be installed and CI=true: failing"
      exit 1
    fi
    log "Chromium could not be installed; the browser tests will fail"
  fi
fi
export ORCHESTRATOR_TEST_CHROMIUM="$chromium_bin"

# --- Tests ------------------------------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
output=$(mktemp /tmp/orchestrator-tests.XXXXXX)
log "building"
dotnet build Orchestrator.sln -c Release -nologo -v quiet "$@" 2>&1 | tail -n 20
status=0
dotnet test Orchestrator.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$output" || status=$?

# One closing line for the whole suite, summed over the test projects' own summaries.
passed=$(grep -Eo 'Passed: +[0-9]+' "$output" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$output" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$output" | awk '{s+=$2} END {print s+0}')
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  log "no test ran"
  status=1
fi
stop_postgres
trap - EXIT
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
