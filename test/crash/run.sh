#!/bin/bash
# Crash recovery: while pgbench writers commit changes to persons and one big
# load stays uncommitted, the server is stopped the way a crash stops it
# (immediate shutdown: no checkpoint, every backend killed), then started
# again. After recovery the committed writes and their memberships, scores and
# events are all there and consistent (verify_scores() empty), and nothing of
# the uncommitted load is. Runs inside pg_virtualenv (it restarts that cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
read -r version cluster < <(pg_lsclusters -h | awk '{ print $1, $2; exit }')
db=bg_crash
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
psql -X -q -d "$db" -v accounts=200 -v persons=2000 -f stress/setup.sql > /dev/null
# the load's own accounts (the writers use A1 to A200), with buying groups
psql -X -q -d "$db" -c "INSERT INTO crm.account SELECT 'L' || i, 'Load ' || i FROM generate_series(1, 50) i" \
    -c "SELECT buying_group.create_buying_groups('Stress SI', 'All accounts')" > /dev/null
before=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.events")

# committed writers, and a load of 50,000 persons that will never commit
/usr/lib/postgresql/15/bin/pgbench -n -c 2 -j 2 -T 60 -f stress/writers.pgbench "$db" > /dev/null 2>&1 &
writers=$!
psql -X -q -d "$db" -c "BEGIN" \
    -c "INSERT INTO crm.person SELECT 'load' || i, 'L' || (1 + i % 50), 'Software Engineer', NULL FROM generate_series(1, 50000) i" \
    -c "SELECT pg_sleep(60)" > /dev/null 2>&1 &
load=$!
sleep 5
committed=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.events")
pg_ctlcluster "$version" "$cluster" stop -m immediate
wait "$writers" "$load" 2>/dev/null || true
pg_ctlcluster "$version" "$cluster" start
for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done

loaded=$(psql -X -At -d "$db" -c "SELECT count(*) FROM crm.person WHERE person_key LIKE 'load%'")
events=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.events")
problems=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.verify_scores()")
members=$(psql -X -At -d "$db" -c "SELECT count(*) FROM buying_group.members m JOIN buying_group.bgroup g ON g.id = m.buying_group_id WHERE g.account_key LIKE 'L%'")
echo "crash: events after setup $before, committed before the crash >= $committed, after recovery $events;" \
     "uncommitted persons left $loaded, members of their accounts $members; verify_scores problems $problems"
dropdb "$db"
[ "$loaded" = 0 ] && [ "$members" = 0 ] && [ "$problems" = 0 ] && [ "$events" -ge "$committed" ] \
    && [ "$committed" -gt "$before" ]
