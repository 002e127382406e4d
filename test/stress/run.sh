#!/bin/bash
# Concurrency stress run: pgbench clients insert, update (moving persons between
# accounts) and delete persons of a bound table, on accounts drawn with
# random_zipfian, and now and then run a batch job (engagement refresh,
# maintenance, creation job, a new template version published), for a
# bounded time; then verify_scores() must be
# empty and no client may have failed: no deadlock, no lost update. Runs
# against the server in the environment. STRESS_CLIENTS (default 8) and
# STRESS_SECONDS (default 60) bound it.
set -euo pipefail
cd "$(dirname "$0")"
clients=${STRESS_CLIENTS:-8}
seconds=${STRESS_SECONDS:-60}
db=bg_stress
dropdb --if-exists "$db"
createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
psql -X -q -d "$db" -v accounts=200 -v persons=2000 -f setup.sql -f jobs.sql > /dev/null
out=$(/usr/lib/postgresql/15/bin/pgbench -n -c "$clients" -j "$clients" -T "$seconds" \
        -f writers.pgbench@200 -f jobs.pgbench@1 "$db" 2>&1)
echo "$out" | grep -E "^(number of (transactions|failed)|latency average|tps)"
failed=$(echo "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
aborted=$(echo "$out" | grep -c "aborted" || true)
problems=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.verify_scores()")
members=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.bmember WHERE NOT is_removed")
events=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.events")
deadlocks=$(echo "$out" | grep -c "deadlock detected" || true)
echo "stress: members $members, events $events, verify_scores problems $problems, failed $failed, aborted $aborted, deadlocks $deadlocks"
[ "$problems" = 0 ] && [ "${failed:-1}" = 0 ] && [ "$aborted" = 0 ] && [ "$deadlocks" = 0 ]
