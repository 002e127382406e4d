#!/bin/bash
# Role-matching benchmark of buying_group (SPEC section 10, first bar):
# buying_group.match_role() over N persons with a 6-role template, against the
# same logic hand-written as CASE ... ILIKE ... and against a generic rule
# interpreter in PL/pgSQL over jsonb; plus floors (count(*), GROUP BY a
# constant, forming the whole-row record). One run, one data set: it prints
# the medians, the ratios, and the number of persons whose role differs
# between the three (expect 0). Results are recorded in doc/benchmarks.md.
#
# It is a program, not a test: it changes nothing outside schema match_bench
# (dropped and recreated) and the draft template "Bench" of the database.
#
# On a throw-away cluster, after `make install` (as root):
#     pg_virtualenv -v 15 test/bench/match_bench.sh
# (pg_virtualenv -t keeps that cluster under /tmp; do not pipe the output into
# `head`: a killed pg_virtualenv leaves its cluster behind.)
# Against a running cluster (as root: psql runs as OS user postgres unless
# PGUSER or PGHOST is set; the database is created if missing):
#     PGPORT=5440 PGDATABASE=bench test/bench/match_bench.sh
#
# Environment:
#     BENCH_PERSONS  persons to generate           (default 1000000)
#     BENCH_RUNS     timed runs per fast query     (default 3; median reported)
#     BENCH_SEED     setseed() value of the data   (default 0.42)
#     BENCH_JIT      JIT settings to time, in order (default "off,on")
#     PGPORT, PGDATABASE (default bench), PGHOST, PGUSER, PGPASSWORD as for psql.
# Time: about 4 minutes at 1,000,000 persons on one core of an AMD EPYC, most
# of it the PL/pgSQL interpreter (run twice: timed once, then in the
# per-person check) and the CASE ... ILIKE baseline (4 runs per JIT setting).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

persons="${BENCH_PERSONS:-1000000}"
runs="${BENCH_RUNS:-3}"
seed="${BENCH_SEED:-0.42}"
jit_modes="${BENCH_JIT:-off,on}"

case "$persons" in ''|*[!0-9]*) echo "BENCH_PERSONS must be a positive integer" >&2; exit 2 ;; esac
case "$runs" in ''|*[!0-9]*) echo "BENCH_RUNS must be a positive integer" >&2; exit 2 ;; esac
[ "$persons" -ge 1 ] && [ "$runs" -ge 1 ] || { echo "BENCH_PERSONS and BENCH_RUNS must be >= 1" >&2; exit 2; }

# As root without connection settings, connect as the postgres OS user (peer
# authentication); the SQL files are fed on stdin so that user need not read them.
if [ "$(id -u)" -eq 0 ] && [ -z "${PGUSER:-}" ] && [ -z "${PGHOST:-}" ]; then
    PSQL=(runuser -u postgres -- psql)
else
    PSQL=(psql)
fi
PSQL+=(-X -v ON_ERROR_STOP=1)

export PGDATABASE="${PGDATABASE:-bench}"
if ! "${PSQL[@]}" -Atc 'SELECT 1' >/dev/null 2>&1; then
    echo "Creating database $PGDATABASE"
    "${PSQL[@]}" -d postgres -qc "CREATE DATABASE $("${PSQL[@]}" -d postgres -Atc "SELECT quote_ident('$PGDATABASE')")"
fi

echo "== buying_group role-matching benchmark"
echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:        $(uname -srm)"
echo "cpus:        $(nproc) ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1))"
echo "memory:      $(free -m 2>/dev/null | awk '/^Mem:/ {print $2 " MB"}')"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server:      $("${PSQL[@]}" -Atc 'SELECT version()')"
echo "extension:   buying_group $("${PSQL[@]}" -Atc "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'buying_group'), (SELECT default_version FROM pg_available_extensions WHERE name = 'buying_group'), 'not installed')")"
echo "database:    $PGDATABASE (port ${PGPORT:-default})"
echo "persons:     $persons, seed $seed, $runs timed runs per fast query, JIT settings: $jit_modes"
echo

start=$(date +%s)
echo "== Generating data"
"${PSQL[@]}" -q -v persons="$persons" -v seed="$seed" < "$here/match_bench_data.sql"
echo "(data generated in $(( $(date +%s) - start )) s)"

"${PSQL[@]}" -q -v bench_dir="$here" -v runs="$runs" -v jit_modes="$jit_modes" < "$here/match_bench.sql"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(benchmark ran in $(( $(date +%s) - start )) s)"
