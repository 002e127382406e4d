#!/bin/bash
# Upgrade test (inside a throw-away cluster): installs the released 0.1.0,
# configures and populates it, runs ALTER EXTENSION ... UPDATE, and compares
# the extension's catalog (every function, table, view, constraint, index,
# trigger, type, comment and grant) and the rows of every view with a fresh
# install of the current version given the same calls. Then the upgraded
# database must keep working: a CRM write fires, verify_scores() is empty,
# and the audience made by an admin is the extension's now.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"; dropdb --if-exists bg_upgraded; dropdb --if-exists bg_fresh; dropdb --if-exists bg_loose_keys' EXIT
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ../../buying_group.control)
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_ -d postgres -c "DROP ROLE IF EXISTS bg_upgrade_admin" \
      -c "CREATE ROLE bg_upgrade_admin" 2>/dev/null
createdb bg_upgraded
createdb bg_fresh
psql_ -d bg_upgraded -c "CREATE EXTENSION buying_group VERSION '0.1.0'" \
      -c "GRANT buying_group_admin TO bg_upgrade_admin" -f setup.sql > /dev/null
psql_ -d bg_upgraded -c "ALTER EXTENSION buying_group UPDATE TO '$current'"
psql_ -d bg_fresh -c "CREATE EXTENSION buying_group" -f setup.sql > /dev/null

for db in bg_upgraded bg_fresh; do
    psql_ -d $db -At -f fingerprint.sql > "$out/$db.catalog"
    psql_ -d $db -At -f views.sql > "$out/$db.views"
done
status=0
if ! diff -u "$out/bg_fresh.catalog" "$out/bg_upgraded.catalog"; then
    echo "upgrade: the catalog differs from a fresh install (- fresh, + upgraded)"; status=1
fi
if ! diff -u "$out/bg_fresh.views" "$out/bg_upgraded.views"; then
    echo "upgrade: the views differ from a fresh install (- fresh, + upgraded)"; status=1
fi

# the upgraded database keeps working
result=$(psql_ -d bg_upgraded -At <<'SQL'
SELECT extversion FROM pg_extension WHERE extname = 'buying_group';
INSERT INTO crm.person VALUES ('p-new', 'a3', 'Chief Technology Officer', 'new@example.com');
SELECT count(*) FROM buying_group.members WHERE person_key = 'p-new';
SELECT count(*) FROM buying_group.verify_scores();
SELECT c.relowner = e.extowner FROM pg_class c, pg_extension e
 WHERE c.oid = 'buying_group_audience.gold'::regclass AND e.extname = 'buying_group';
SELECT has_schema_privilege('buying_group_admin', 'buying_group_audience', 'CREATE');
SQL
)
expected=$(printf '%s\n' "$current" 1 0 t f)
if [ "$result" != "$expected" ]; then
    echo "upgrade: after the update, expected"; echo "$expected"; echo "got"; echo "$result"; status=1
fi
# 0.1.0 bound keys without checking them: the update says which binding's key
# is not NOT NULL and unique, and DDL on that table is refused until it is
createdb bg_loose_keys
psql_ -d bg_loose_keys -c "CREATE EXTENSION buying_group VERSION '0.1.0'" \
      -c "CREATE TABLE public.acct (k text, n text)" \
      -c "SELECT buying_group.bind_accounts('public.acct', 'k', 'n')" > /dev/null
warning=$(psql_ -d bg_loose_keys -c "ALTER EXTENSION buying_group UPDATE TO '$current'" 2>&1)
refused=$(psql_ -d bg_loose_keys -c "ALTER TABLE public.acct ADD COLUMN x int" 2>&1 || true)
fixed=$(psql_ -d bg_loose_keys -c "ALTER TABLE public.acct ADD PRIMARY KEY (k)" -c "ALTER TABLE public.acct ADD COLUMN x int" 2>&1)
if [[ "$warning" != *'WARNING:  the bound accounts table: key column "k" of public.acct allows NULL'* ]] ||
   [[ "$refused" != *'cannot change the bound accounts table: key column "k" of public.acct allows NULL'* ]] ||
   [ -n "$fixed" ]; then
    echo "upgrade: unchecked keys, expected a warning, a refusal, then nothing; got"
    printf '%s\n--\n%s\n--\n%s\n' "$warning" "$refused" "$fixed"; status=1
fi

catalog_lines=$(wc -l < "$out/bg_fresh.catalog")
view_lines=$(wc -l < "$out/bg_fresh.views")
echo "upgrade: 0.1.0 -> $current, $catalog_lines catalog lines and $view_lines view rows compared, status $status"
psql_ -d postgres -c "DROP ROLE bg_upgrade_admin" 2>/dev/null || true
exit $status
