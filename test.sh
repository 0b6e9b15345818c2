#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages: PostgreSQL, Chromium), starts a throwaway PostgreSQL on a free
# port, runs every test in the solution against it, stops it, and prints the totals. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
command -v runuser >/dev/null || missing+=(util-linux)
# The end-to-end tests drive Debian's Chromium through Playwright; Playwright never downloads a browser of its own.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Times on the run page are shown in the viewer's zone; the tests name IANA zones.
[ -f /usr/share/zoneinfo/Europe/Berlin ] || missing+=(tzdata)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    echo "test.sh: no free port found" >&2; exit 1
}

PGBIN="$(pg_bin)"
PGDATA_ROOT="$(mktemp -d /tmp/kmp-pg.XXXXXX)"
PGPORT="$(free_port)"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGDATA_ROOT"; fi

stop_pg() {
    run_pg "$PGBIN/pg_ctl" -D "$PGDATA_ROOT/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGDATA_ROOT"
}
trap stop_pg EXIT

log "starting a throwaway PostgreSQL on 127.0.0.1:$PGPORT"
run_pg "$PGBIN/initdb" -D "$PGDATA_ROOT/data" -U postgres -A trust --no-sync >/dev/null
run_pg "$PGBIN/pg_ctl" -D "$PGDATA_ROOT/data" -l "$PGDATA_ROOT/server.log" -w -t 60 \
    -o "-p $PGPORT -k $PGDATA_ROOT -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
export KMP_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
export KMP_CHROMIUM="${KMP_CHROMIUM:-/usr/bin/chromium}"
# Where a portal listens is each test's own choice: an image-wide setting (the official .NET images set
# ASPNETCORE_HTTP_PORTS) would make single-operator mode refuse to start in the in-process tests. Likewise the
# mode: each test configures the Heroku it talks to, and an exported PORTAL_MODE would refuse most of them.
unset ASPNETCORE_URLS ASPNETCORE_HTTP_PORTS ASPNETCORE_HTTPS_PORTS PORTAL_MODE

log "running the tests"
results="$(mktemp -d /tmp/kmp-results.XXXXXX)"
status=0
dotnet build KafkaMigrationPortal.sln --nologo -v q -clp:ErrorsOnly || exit 1
# Each run its own results folder: two runs of one project starting in the same second would name their trx alike.
run_tests() { dotnet test "$1" --no-build --nologo --logger "trx" --results-directory "$(mktemp -d "$results/trx.XXXXXX")" "${@:2}"; }
# Most of the tests' time is spent waiting on real clocks (retention, releases, leases) with the CPU idle, so two
# test processes run at a time. Beside: the browser tests, then the engine's multi-process proofs. In front: the
# Heroku-client and sandbox projects, then the rest of the engine's (whose in-process hosts run one at a time,
# after everything else in that process). With extra arguments the engine's project runs whole, in front.
engine=tests/KafkaMigrationPortal.Tests
proofs="FullyQualifiedName~KafkaMigrationPortal.Tests.Execution.Proofs."
run_beside() {
    local code=0
    run_tests tests/KafkaMigrationPortal.EndToEnd.Tests "$@" >"$results/beside.log" 2>&1 || code=$?
    if [ $# -eq 0 ]; then run_tests "$engine" --filter "$proofs" >>"$results/beside.log" 2>&1 || code=$?; fi
    return "$code"
}
run_beside "$@" &
beside=$!
for project in tests/KafkaMigrationPortal.Heroku.Tests tests/KafkaMigrationPortal.Sandbox.Tests; do
    run_tests "$project" "$@" || status=$?
done
if [ $# -eq 0 ]; then
    run_tests "$engine" --filter "FullyQualifiedName!~KafkaMigrationPortal.Tests.Execution.Proofs." || status=$?
else
    run_tests "$engine" "$@" || status=$?
fi
wait "$beside" || status=$?
cat "$results/beside.log"

totals="$(python3 - "$results" 2>/dev/null <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout")) + int(c.get("aborted"))
    skipped += int(c.get("notExecuted")) + int(c.get("inconclusive"))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
)"
rm -rf "$results"
echo
echo "${totals:-tests: totals unavailable (see the dotnet test output above)}"
exit "$status"
