#!/bin/bash
# Engagement benchmark (SPEC 10, fourth bar): refresh_engagement over N
# activities of M persons against the plain GROUP BY it cannot do without:
#   SELECT person, type, UTC day, count(*) ... WHERE at in the window GROUP BY 1, 2, 3
# in one run on the same data: a first refresh (every person written), then four
# daily ones (as_of one day later each), each next to the GROUP BY of its own
# window. Goal: refresh <= 2x the GROUP BY.
#
# Against a running cluster (as root: runs as OS user postgres unless PGUSER/PGHOST are set):
#     PGPORT=5440 test/bench/engagement_bench.sh
# Environment: BENCH_ACTIVITIES (default 10000000), BENCH_PERSONS (default 1000000),
# PGPORT, PGHOST, PGUSER. Takes a few minutes at the defaults (most of it generating data).
set -euo pipefail
activities="${BENCH_ACTIVITIES:-10000000}"
persons="${BENCH_PERSONS:-1000000}"
db=bg_engagement_bench
. "$(dirname "$0")/lib.sh"
run dropdb --if-exists "$db" 2>/dev/null
run createdb "$db"
trap 'run dropdb --if-exists "$db"' EXIT

echo "== generating $persons persons and $activities activities"
sql -v persons="$persons" -v activities="$activities" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION buying_group;
SELECT setseed(0.5);
CREATE TABLE person (person_key text PRIMARY KEY, account_key text);
INSERT INTO person SELECT 'p' || i, 'a' || (i % 100000) FROM generate_series(1, :persons) i;
CREATE TABLE activity (person_key text, activity_type text, occurred_at timestamptz);
INSERT INTO activity
SELECT 'p' || (1 + floor(random() * :persons)::int),
       (ARRAY['attend_event', 'email_clicked', 'email_opened', 'form_filled_out', 'interesting_moment',
              'link_clicked', 'page_viewed', 'registered_for_event', 'unweighted'])[1 + floor(random() * 9)::int],
       timestamptz '2026-03-31 00:00+00' - random() * interval '45 days'
  FROM generate_series(1, :activities);
VACUUM ANALYZE person;
VACUUM ANALYZE activity;
SELECT buying_group.bind_persons('person', key => 'person_key', account => 'account_key');
SELECT buying_group.bind_activities('activity', person => 'person_key', type => 'activity_type', "at" => 'occurred_at');
SQL

ms() {   # runs one statement, prints its time in ms
    sql -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
floor_sql() {   # the GROUP BY of the window ending at $1
    echo "SELECT count(*) FROM (SELECT person_key, activity_type, (occurred_at AT TIME ZONE 'UTC')::date, count(*)
      FROM activity WHERE occurred_at > timestamptz '$1' - interval '30 days'
       AND occurred_at <= timestamptz '$1' GROUP BY 1, 2, 3) s"
}
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The first refresh writes every person; a daily one (as_of one day later)
# rewrites only the persons whose points changed. Each refresh is timed next
# to the floor of its own window, alternating, so that both see the same load.
days=("2026-03-27 00:00+00" "2026-03-28 00:00+00" "2026-03-29 00:00+00" "2026-03-30 00:00+00" "2026-03-31 00:00+00")
: > /tmp/engagement_bench.$$
for i in "${!days[@]}"; do
    d="${days[$i]}"
    f=$(ms "$(floor_sql "$d")")
    r=$(ms "SELECT buying_group.refresh_engagement('$d')")
    kind=$([ "$i" -eq 0 ] && echo first || echo daily)
    echo "$kind $d: GROUP BY floor $f ms, refresh_engagement $r ms" | tee -a /tmp/engagement_bench.$$
done
sql -c "SELECT count(*) AS persons_scored, round(max(raw_engagement), 3) AS max_raw,
               count(*) FILTER (WHERE engagement > 0) AS with_activity FROM buying_group.person_engagement"
awk '{ gsub(/ ms,?/, ""); printf "%s %.3f\n", $1, $(NF) / $(NF - 2) }' /tmp/engagement_bench.$$ > /tmp/engagement_bench.$$.r
first=$(awk '$1 == "first" { print $2 }' /tmp/engagement_bench.$$.r)
daily=$(awk '$1 == "daily" { print $2 }' /tmp/engagement_bench.$$.r | median)
rm -f /tmp/engagement_bench.$$ /tmp/engagement_bench.$$.r
echo "first refresh / GROUP BY: ${first}x   daily refresh / GROUP BY (median of 4): ${daily}x   (goal <= 2)"
