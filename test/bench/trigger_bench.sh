#!/bin/bash
# Real-time trigger benchmark (SPEC 10, third bar): the cost the persons
# triggers add to the CRM sync's writes, in one run on the same data:
#   - single-row INSERT of new persons (pgbench, 1 client, -M prepared), with the
#     triggers, without them (ALTER TABLE ... DISABLE TRIGGER), and with a naive
#     PL/pgSQL row trigger that recomputes the person's whole group instead, on
#     accounts of 1,000 persons (100 of them), of 200 (500) and of 5 (10,000);
#   - COPY of 100,000 persons into 10,000 accounts, with and without the triggers;
#   - pgbench writers at 1, 2 and 4 clients on random_zipfian accounts (TPS, latency).
# Prints the ratios against SPEC's goals (single row <= 1.5x, COPY <= 2x, >= 5x faster
# than the naive trigger). Results are recorded in doc/benchmarks.md.
#
# Against a running cluster (as root: runs as OS user postgres unless PGUSER/PGHOST are set):
#     PGPORT=5440 test/bench/trigger_bench.sh
# or on a throw-away one, after make install:  pg_virtualenv -t -v 15 test/bench/trigger_bench.sh
# Environment: BENCH_SECONDS per pgbench run (default 10), PGPORT, PGHOST, PGUSER.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${BENCH_SECONDS:-10}"
db=bg_trigger_bench
. "$(dirname "$0")/lib.sh"
pgbench=/usr/lib/postgresql/15/bin/pgbench
tmp=$(mktemp -d); chmod 777 "$tmp"; trap 'rm -rf "$tmp"' EXIT

# a fresh database of $1 accounts and $2 persons (one buying group per account)
setup() {
    run dropdb --if-exists "$db" 2>/dev/null
    run createdb "$db"
    (cd "$here/../.." && sql -v accounts="$1" -v persons="$2" -f test/bench/trigger_bench_setup.sql > /dev/null)
}

# one pgbench run of a script; prints its average latency in ms
latency() {
    local script=$1 clients=$2
    shift 2
    run "$pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$seconds" "$@" -f "$script" "$db" 2>&1 \
        | tee "$tmp/last.out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}

cat > "$tmp/insert.pgbench" <<'SQL'
\set a random(1, :accounts)
INSERT INTO crm.person VALUES ('n' || nextval('crm.person_seq'), 'A' || :a,
       (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + :a % 4], CASE WHEN :a % 7 = 0 THEN 'VP' END);
SQL
cat > "$tmp/writers.pgbench" <<'SQL'
\set a random_zipfian(1, 10000, 1.2)
\set p random(1, 200000)
\set t random(1, 4)
INSERT INTO crm.person VALUES ('w' || :p, 'A' || :a, (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[:t], NULL)
    ON CONFLICT (person_key) DO UPDATE SET account_key = EXCLUDED.account_key, job_title = EXCLUDED.job_title;
SQL
chmod 644 "$tmp"/*.pgbench

# single-row INSERTs: with the triggers, without them, with the naive trigger;
# sets with, without, naive
# (three rounds of the three, after a checkpoint each; the median of each)
single_row() {
    local accounts=$1 round w=() wo=() n=()
    sql -c "VACUUM ANALYZE"
    for round in 1 2 3; do
        sql -c "CHECKPOINT"
        w+=("$(latency "$tmp/insert.pgbench" 1 -D accounts="$accounts")")
        sql -c "ALTER TABLE crm.person DISABLE TRIGGER USER" -c "CHECKPOINT"
        wo+=("$(latency "$tmp/insert.pgbench" 1 -D accounts="$accounts")")
        sql -c "CREATE TRIGGER naive AFTER INSERT OR UPDATE OR DELETE ON crm.person FOR EACH ROW EXECUTE FUNCTION crm.naive_recompute()" \
            -c "CHECKPOINT"
        n+=("$(latency "$tmp/insert.pgbench" 1 -D accounts="$accounts")")
        sql -c "DROP TRIGGER naive ON crm.person" -c "ALTER TABLE crm.person ENABLE TRIGGER USER"
    done
    with=$(printf '%s\n' "${w[@]}" | sort -n | sed -n 2p)
    without=$(printf '%s\n' "${wo[@]}" | sort -n | sed -n 2p)
    naive=$(printf '%s\n' "${n[@]}" | sort -n | sed -n 2p)
    echo "rounds (with / without / naive, ms): ${w[*]} / ${wo[*]} / ${n[*]}"
    echo "median: without triggers: $without ms   with: $with ms   naive PL/pgSQL recompute: $naive ms"
}

# large accounts first (the naive trigger's cost grows with the account, ours does not)
echo "== single-row INSERT, 1 client, ${seconds}s each: 100 accounts of 1,000 persons"
setup 100 100000
single_row 100
huge_with=$with; huge_naive=$naive; huge_without=$without

echo "== single-row INSERT, 1 client, ${seconds}s each: 500 accounts of 200 persons"
setup 500 100000
single_row 500
large_with=$with; large_naive=$naive; large_without=$without

echo "== single-row INSERT, 1 client, ${seconds}s each: 10,000 accounts of 5 persons"
setup 10000 50000
single_row 10000

echo "== COPY of 100,000 persons"
sql -c "\\copy (SELECT 'c' || i, 'A' || (1 + i % 10000), (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + i % 4], NULL FROM generate_series(1, 100000) i) TO '$tmp/persons.csv' CSV"
copy_ms() {
    sql -c "\\timing on" -c "\\copy crm.person FROM '$tmp/persons.csv' CSV" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
copy_with=$(copy_ms)
sql -c "DELETE FROM crm.person WHERE person_key LIKE 'c%'" -c "ALTER TABLE crm.person DISABLE TRIGGER USER"
copy_without=$(copy_ms)
sql -c "DELETE FROM crm.person WHERE person_key LIKE 'c%'" -c "ALTER TABLE crm.person ENABLE TRIGGER USER" \
    -c "SELECT buying_group.recompute()" > /dev/null
echo "COPY without triggers: $copy_without ms   with: $copy_with ms"

echo "== writers on random_zipfian accounts (upserts that may move persons), ${seconds}s each"
for c in 1 2 4; do
    l=$(latency "$tmp/writers.pgbench" "$c")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/last.out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$tmp/last.out")
    echo "clients $c: tps $tps, latency average $l ms, failed ${failed:-?}"
done
echo "verify_scores problems: $(sql -c 'SELECT count(*) FROM buying_group.verify_scores()')"

awk -v w="$with" -v wo="$without" -v n="$naive" -v cw="$copy_with" -v cwo="$copy_without" \
    -v lw="$large_with" -v lwo="$large_without" -v ln="$large_naive" \
    -v hw="$huge_with" -v hwo="$huge_without" -v hn="$huge_naive" 'BEGIN {
    printf "single-row INSERT with/without triggers: %.2fx at 5 persons per account, %.2fx at 200, %.2fx at 1,000 (goal <= 1.5)\n", w / wo, lw / lwo, hw / hwo;
    printf "COPY 100,000 with/without triggers:      %.2fx (goal <= 2)\n", cw / cwo;
    printf "naive PL/pgSQL trigger / ours:           %.2fx at 5 persons per account, %.2fx at 200, %.2fx at 1,000 (goal >= 5)\n", n / w, ln / lw, hn / hw }'
run dropdb "$db"
