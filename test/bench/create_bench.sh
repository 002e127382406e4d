#!/bin/bash
# Creation-job benchmark of buying_group (SPEC section 10, second bar):
# buying_group.create_buying_groups() for 100,000 accounts / 1,000,000 persons
# with a live 6-role template, against the floor SPEC names,
#     SELECT account_key, count(*) FROM person GROUP BY 1
# (one scan plus a hash aggregate), and two intermediate floors: match_role()
# per person counted per account, and completeness(match_role()) per account
# (SPEC section 4's ad-hoc query: everything the job computes, nothing
# stored). One run, one data set: it prints the medians, the ratio to the
# goal (<= 3x), checks the groups it made (one per account; members = the
# persons whose match_role() is not NULL; stored completeness = the
# completeness() aggregate over the members, = SPEC section 4's query, = SPEC
# section 5's formula: expect 0 differences), then profiles where the time
# goes (rolled-back experiments; BENCH_PROFILE=0 skips them). Results are
# recorded in doc/benchmarks.md.
#
# It is a program, not a test. Bindings, templates and buying groups are
# database-wide and a live template cannot be deleted, so it DROPS AND
# RECREATES THE EXTENSION in its database (default bench_create, created if
# missing), and schemas create_bench and match_bench (its persons come from
# test/bench/match_bench_data.sql); it refuses to run in a database whose
# buying_group holds objects it did not make.
#
# On a throw-away cluster, after `make install` (as root):
#     pg_virtualenv -t -v 15 test/bench/create_bench.sh
# (do not pipe the output into `head`: a killed pg_virtualenv leaves its
# cluster behind.)
# Against a running cluster (as root: psql runs as OS user postgres unless
# PGUSER or PGHOST is set; it needs a superuser, for TRUNCATE of the
# extension's tables and CHECKPOINT between runs):
#     PGPORT=5440 PGDATABASE=bench_create test/bench/create_bench.sh
#
# Environment:
#     BENCH_PERSONS  persons to generate; accounts = persons / 10 (default 1000000)
#     BENCH_RUNS     timed runs per query              (default 3; median reported)
#     BENCH_SEED     setseed() value of the data       (default 0.42)
#     BENCH_KEYS     type of the key columns: bigint (as match_bench.person;
#                    the job casts them to text) or text ('123@bench-account.Marketo')
#                                                      (default bigint)
#     BENCH_PROFILE  1 to run the profile experiments, 0 to skip (default 1)
#     BENCH_PROFILE_RUNS  rounds of profile experiments (default 2; least time reported)
#     PGPORT, PGDATABASE (default bench_create), PGHOST, PGUSER, PGPASSWORD as for psql.
# Time: about 2 minutes for the data and the timed part at 1,000,000 persons
# on one core of an AMD EPYC (4 rounds of a ~17 s job), about 5.5 more for
# the profile (2 rounds of 13 experiments).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

persons="${BENCH_PERSONS:-1000000}"
runs="${BENCH_RUNS:-3}"
seed="${BENCH_SEED:-0.42}"
keys="${BENCH_KEYS:-bigint}"
profile="${BENCH_PROFILE:-1}"
profile_runs="${BENCH_PROFILE_RUNS:-2}"

case "$persons" in ''|*[!0-9]*) echo "BENCH_PERSONS must be a positive integer" >&2; exit 2 ;; esac
case "$runs" in ''|*[!0-9]*) echo "BENCH_RUNS must be a positive integer" >&2; exit 2 ;; esac
[ "$persons" -ge 10 ] && [ "$runs" -ge 1 ] || { echo "BENCH_PERSONS must be >= 10 and BENCH_RUNS >= 1" >&2; exit 2; }
case "$keys" in bigint|text) ;; *) echo "BENCH_KEYS must be bigint or text" >&2; exit 2 ;; esac
case "$profile" in 0|1) ;; *) echo "BENCH_PROFILE must be 0 or 1" >&2; exit 2 ;; esac
case "$profile_runs" in ''|*[!0-9]*|0) echo "BENCH_PROFILE_RUNS must be a positive integer" >&2; exit 2 ;; esac

# As root without connection settings, connect as the postgres OS user (peer
# authentication); the SQL files are fed on stdin so that user need not read them.
if [ "$(id -u)" -eq 0 ] && [ -z "${PGUSER:-}" ] && [ -z "${PGHOST:-}" ]; then
    PSQL=(runuser -u postgres -- psql)
else
    PSQL=(psql)
fi
PSQL+=(-X -v ON_ERROR_STOP=1)

export PGDATABASE="${PGDATABASE:-bench_create}"
if ! "${PSQL[@]}" -Atc 'SELECT 1' >/dev/null 2>&1; then
    echo "Creating database $PGDATABASE"
    "${PSQL[@]}" -d postgres -qc "CREATE DATABASE $("${PSQL[@]}" -d postgres -Atc "SELECT quote_ident('$PGDATABASE')")"
fi
if [ "$("${PSQL[@]}" -Atc 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" != t ]; then
    echo "create_bench.sh needs a superuser (TRUNCATE of the extension's tables, CHECKPOINT)" >&2
    exit 2
fi

echo "== buying_group creation-job benchmark"
echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:        $(uname -srm)"
echo "cpus:        $(nproc) ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1))"
echo "memory:      $(free -m 2>/dev/null | awk '/^Mem:/ {print $2 " MB"}')"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server:      $("${PSQL[@]}" -Atc 'SELECT version()')"
echo "extension:   buying_group $("${PSQL[@]}" -Atc "SELECT default_version FROM pg_available_extensions WHERE name = 'buying_group'")"
echo "database:    $PGDATABASE (port ${PGPORT:-default})"
echo "persons:     $persons, accounts $((persons / 10)), keys $keys, seed $seed, $runs timed runs per query"
echo

start=$(date +%s)
echo "== Dropping the extension of a previous run"
"${PSQL[@]}" -q < "$here/create_bench_reset.sql"
echo "== Generating data"
"${PSQL[@]}" -q -v persons="$persons" -v seed="$seed" < "$here/match_bench_data.sql"
"${PSQL[@]}" -q -v persons="$persons" -v seed="$seed" -v keys="$keys" < "$here/create_bench_data.sql"
echo "(data generated in $(( $(date +%s) - start )) s)"

"${PSQL[@]}" -q -v bench_dir="$here" -v runs="$runs" < "$here/create_bench.sql"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(benchmark ran in $(( $(date +%s) - start )) s)"

if [ "$profile" = 1 ]; then
    "${PSQL[@]}" -q -v profile_runs="$profile_runs" < "$here/create_bench_profile.sql"
    echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "(benchmark and profile ran in $(( $(date +%s) - start )) s)"
fi
