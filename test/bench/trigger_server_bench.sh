#!/bin/bash
# Server-side cost of the real-time triggers (issue #12's write-path goals),
# without the commit: every measure runs inside a transaction that is rolled
# back, so the flush of the WAL, which varies from run to run by more than the
# triggers cost, is left out, and each round starts from the same data.
#   - 3,000 single-row INSERTs of new persons (a PL/pgSQL loop, one statement
#     each, so the triggers fire 3,000 times) into 10,000 accounts of 5 persons;
#   - 3,000 single-row UPDATEs of a column no role condition reads, and 3,000
#     single-row INSERTs into accounts without buying groups (the most common
#     writes of a CRM sync);
#   - COPY of 100,000 new persons into those 10,000 accounts;
#   - COPY of 100,000 new persons spread over 100,000 accounts that have
#     buying groups (one new person each: a daily sync of new leads);
# each with the triggers and without them (ALTER TABLE ... DISABLE TRIGGER
# USER), BENCH_ROUNDS rounds (default 3) interleaved; prints the medians and
# the ratios. Results are recorded in doc/benchmarks.md.
#
# Against a running cluster (as root: runs as OS user postgres unless PGUSER/PGHOST are set):
#     PGPORT=5440 test/bench/trigger_server_bench.sh
# or on a throw-away one, after make install:  pg_virtualenv -t -v 15 test/bench/trigger_server_bench.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${BENCH_ROUNDS:-3}"
db=bg_trigger_server_bench
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); chmod 777 "$tmp"; trap 'rm -rf "$tmp"' EXIT

# a fresh database of $1 accounts and $2 persons (one buying group per account)
setup() {
    run dropdb --if-exists "$db" 2>/dev/null
    run createdb "$db"
    (cd "$here/../.." && sql -v accounts="$1" -v persons="$2" -f test/stress/setup.sql > /dev/null)
    sql -c "VACUUM ANALYZE"
}

# milliseconds that the psql command given ($1: SQL or a backslash command)
# takes, in a transaction rolled back
timed() {
    printf '%s\n' "BEGIN;" "SELECT pg_catalog.clock_timestamp() AS t0 \\gset" "$1" \
        "SELECT round(extract(epoch FROM pg_catalog.clock_timestamp() - :'t0') * 1000, 1);" "ROLLBACK;" \
        > "$tmp/timed.sql"
    sql -f "$tmp/timed.sql" | tail -1
}

# the median of the numbers given
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# runs timed "$1" $rounds times with the triggers and without, interleaved;
# prints the rounds and sets with, without
with_and_without() {
    local round w=() wo=()
    for round in $(seq "$rounds"); do
        sql -c "CHECKPOINT"
        w+=("$(timed "$1")")
        sql -c "ALTER TABLE crm.person DISABLE TRIGGER USER" -c "CHECKPOINT"
        wo+=("$(timed "$1")")
        sql -c "ALTER TABLE crm.person ENABLE TRIGGER USER"
    done
    with=$(median "${w[@]}"); without=$(median "${wo[@]}")
    echo "   rounds, ms: with ${w[*]} / without ${wo[*]}; median with $with, without $without"
}

# 3,000 single-row INSERTs of new persons (keys $1 || i) into 10,000 accounts
# (keys $2 || n), half of whom get a role: a PL/pgSQL loop, one statement each
insert_loop() {
    echo "DO \$\$ BEGIN FOR i IN 1..3000 LOOP
    INSERT INTO crm.person VALUES ('$1' || i, '$2' || (1 + (i * 7919) % 10000),
        (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + i % 4], CASE WHEN i % 7 = 0 THEN 'VP' END);
    END LOOP; END \$\$;"
}

echo "== 10,000 accounts of 5 persons"
setup 10000 50000
echo "-- 3,000 single-row INSERTs"
with_and_without "$(insert_loop s A)"
single_with=$with; single_without=$without
# what a CRM sync does most: update persons in columns no role condition reads,
# and insert persons of accounts that have no buying group
sql -c "ALTER TABLE crm.person ADD COLUMN last_seen timestamptz" -c "VACUUM ANALYZE crm.person"
echo "-- 3,000 single-row UPDATEs of a column no role condition reads"
with_and_without "DO \$\$ BEGIN FOR i IN 1..3000 LOOP
    UPDATE crm.person SET last_seen = '2026-12-02 10:00+00' WHERE person_key = 'p' || (1 + (i * 7919) % 50000);
    END LOOP; END \$\$;"
unread_with=$with; unread_without=$without
echo "-- 3,000 single-row INSERTs into accounts without buying groups"
with_and_without "$(insert_loop n N)"
nogroup_with=$with; nogroup_without=$without
sql -c "ALTER TABLE crm.person DROP COLUMN last_seen"
sql -c "\\copy (SELECT 'c' || i, 'A' || (1 + i % 10000), (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + i % 4], NULL FROM generate_series(1, 100000) i) TO '$tmp/small.csv' CSV"
echo "-- COPY of 100,000 persons"
with_and_without "\\copy crm.person FROM '$tmp/small.csv' CSV"
small_with=$with; small_without=$without

echo "== 100,000 accounts with buying groups, 100,000 persons"
setup 100000 100000
sql -c "\\copy (SELECT 'c' || i, 'A' || i, (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + i % 4], NULL FROM generate_series(1, 100000) i) TO '$tmp/spread.csv' CSV"
echo "-- COPY of 100,000 persons, one into each account"
with_and_without "\\copy crm.person FROM '$tmp/spread.csv' CSV"
spread_with=$with; spread_without=$without
echo "verify_scores problems: $(sql -c 'SELECT count(*) FROM buying_group.verify_scores()')"

awk -v sw="$single_with" -v swo="$single_without" -v cw="$small_with" -v cwo="$small_without" \
    -v pw="$spread_with" -v pwo="$spread_without" -v uw="$unread_with" -v uwo="$unread_without" \
    -v nw="$nogroup_with" -v nwo="$nogroup_without" 'BEGIN {
    printf "single-row INSERT, server side, no commit: %.1f us with, %.1f us without a row: %.2fx\n", sw / 3, swo / 3, sw / swo;
    printf "single-row UPDATE of an unread column:     %.1f us with, %.1f us without a row: %.2fx\n", uw / 3, uwo / 3, uw / uwo;
    printf "single-row INSERT, account without groups: %.1f us with, %.1f us without a row: %.2fx\n", nw / 3, nwo / 3, nw / nwo;
    printf "COPY 100,000 into 10,000 accounts:  %.2fx (goal <= 2)\n", cw / cwo;
    printf "COPY 100,000 over 100,000 accounts: %.2fx (goal <= 2)\n", pw / pwo }'
run dropdb "$db"
