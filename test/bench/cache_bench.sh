#!/bin/bash
# What the template cache saves on the single-row path (one person matched per
# statement, as a trigger or an API call does it): pgbench, one client, the same
# persons, four scripts in one run:
#   plain        SELECT the person
#   match        SELECT match_role('Bench', person)           (cached template)
#   plain+touch  a catalog UPDATE (which invalidates the cache), then SELECT the person
#   match+touch  the same UPDATE, then match_role: the template is reloaded,
#                its rules parsed and bound again
# match - plain is the cost of a cached match; (match+touch - plain+touch) -
# (match - plain) is what the cache saves per statement.
#
# Needs the data and the draft template of match_bench.sh in the database.
#     PGPORT=5440 PGDATABASE=bench test/bench/cache_bench.sh
# Environment: BENCH_SECONDS per script (default 15), PGPORT, PGDATABASE (bench), PGHOST, PGUSER.
set -euo pipefail
seconds="${BENCH_SECONDS:-15}"
export PGDATABASE="${PGDATABASE:-bench}"
pgbench=/usr/lib/postgresql/15/bin/pgbench
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
n=$(run psql -X -At -c "SELECT count(*) FROM match_bench.person")
pick="\\set k random(1, $n)"
touch_sql="UPDATE buying_group.template SET description = description WHERE name = 'Bench';"
printf '%s\nSELECT p FROM match_bench.person p WHERE person_key = :k;\n' "$pick" > "$dir/plain.sql"
printf '%s\nSELECT buying_group.match_role(%s, p) FROM match_bench.person p WHERE person_key = :k;\n' "$pick" "'Bench'" > "$dir/match.sql"
printf '%s\nBEGIN;\n%s\nSELECT p FROM match_bench.person p WHERE person_key = :k;\nCOMMIT;\n' "$pick" "$touch_sql" > "$dir/plain_touch.sql"
printf '%s\nBEGIN;\n%s\nSELECT buying_group.match_role(%s, p) FROM match_bench.person p WHERE person_key = :k;\nCOMMIT;\n' "$pick" "$touch_sql" "'Bench'" > "$dir/match_touch.sql"
chmod 644 "$dir"/*.sql
declare -A lat
for s in plain match plain_touch match_touch; do
    out=$(run "$pgbench" -n -M prepared -c 1 -T "$seconds" -f "$dir/$s.sql" 2>&1)
    lat[$s]=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' <<<"$out")
    printf '%-12s latency %8s ms   %s\n' "$s" "${lat[$s]}" "$(grep '^tps' <<<"$out")"
done
awk -v p="${lat[plain]}" -v m="${lat[match]}" -v pt="${lat[plain_touch]}" -v mt="${lat[match_touch]}" 'BEGIN {
    warm = (m - p) * 1000; cold = (mt - pt) * 1000;
    printf "cached match: %.1f us per statement; after an invalidation: %.1f us; the cache saves %.1f us (%.1fx)\n",
           warm, cold, cold - warm, (warm > 0 ? cold / warm : 0) }'
