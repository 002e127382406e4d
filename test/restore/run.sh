#!/bin/bash
# Backup and restore test (inside a throw-away cluster): a configured and
# populated database is dumped with pg_dump and restored into new databases,
# as a plain script through psql and as a custom archive through pg_restore,
# with and without --jobs, each with errors stopping it. Every restore must
# run without an error, show the rows of every view of the source, and keep
# working: a CRM write fires its trigger, and verify_scores() is empty.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
dbs="bg_dump_source bg_dump_plain bg_dump_custom bg_dump_jobs"
cleanup() { rm -rf "$out"; for db in $dbs; do dropdb --if-exists "$db"; done; }
trap cleanup EXIT
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_ -d postgres -c "DROP ROLE IF EXISTS bg_upgrade_admin" -c "CREATE ROLE bg_upgrade_admin" 2>/dev/null
createdb bg_dump_source
psql_ -d bg_dump_source -c "CREATE EXTENSION buying_group" -c "GRANT buying_group_admin TO bg_upgrade_admin" \
      -f ../upgrade/setup.sql > /dev/null
psql_ -d bg_dump_source -At -f ../upgrade/views.sql > "$out/source.views"

pg_dump -d bg_dump_source -f "$out/dump.sql"
pg_dump -d bg_dump_source -Fc -f "$out/dump.custom"
for db in bg_dump_plain bg_dump_custom bg_dump_jobs; do createdb "$db"; done
status=0
psql_ -d bg_dump_plain -f "$out/dump.sql" > /dev/null 2> "$out/plain.err" || true
pg_restore -d bg_dump_custom --exit-on-error "$out/dump.custom" 2> "$out/custom.err" || true
pg_restore -d bg_dump_jobs --jobs 2 --exit-on-error "$out/dump.custom" 2> "$out/jobs.err" || true

for kind in plain custom jobs; do
    db=bg_dump_$kind
    if grep -q "ERROR" "$out/$kind.err"; then
        echo "restore ($kind): errors"; head -20 "$out/$kind.err"; status=1; continue
    fi
    psql_ -d $db -At -f ../upgrade/views.sql > "$out/$kind.views"
    if ! diff -u "$out/source.views" "$out/$kind.views" | head -40; then :; fi
    if ! cmp -s "$out/source.views" "$out/$kind.views"; then
        echo "restore ($kind): the views differ from the source (- source, + restored)"; status=1
    fi
    result=$(psql_ -d $db -At <<'SQL'
INSERT INTO crm.person VALUES ('p-restored', 'a3', 'Chief Technology Officer', 'r@example.com');
SELECT count(*) FROM buying_group.members WHERE person_key = 'p-restored';
SELECT count(*) FROM buying_group.verify_scores();
SQL
)
    if [ "$result" != "$(printf '1\n0')" ]; then
        echo "restore ($kind): after a write, expected a new member and no problem, got: $result"; status=1
    fi
done
echo "restore: plain, custom and custom with --jobs 2; $(wc -l < "$out/source.views") view rows compared; status $status"
psql_ -d postgres -c "DROP ROLE bg_upgrade_admin" 2>/dev/null || true
exit $status
