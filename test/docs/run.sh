#!/bin/bash
# Docs that run. The demo (test/demo/demo.sql) is loaded into a database and
# what it prints is compared with test/docs/expected/demo.out; then every
# ```sql block of README.md and doc/*.md runs against that database, each in
# a transaction rolled back afterwards, and what each file's blocks print is
# compared with test/docs/expected/<file>.out. No block may raise an error.
#
# A block fenced ```sql fresh runs on the demo's CRM tables without the
# extension (it is dropped first, inside the transaction): a quick start. Not
# run, and counted apart: blocks fenced ```sql 0.1.0 (transcripts of that
# release, kept as records in doc/benchmarks.md) and ```sql pg_cron (they need
# pg_cron in shared_preload_libraries, which this cluster does not load).
#
# Runs against the cluster the environment names (PGHOST, PGPORT), as the
# other suites; creates and drops database bg_docs and the roles the examples
# grant to. TEST_DOCS_UPDATE=1 writes the expected files instead of comparing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
expected="$root/test/docs/expected"
tmp=$(mktemp -d)
chmod 777 "$tmp"
db=bg_docs
roles="marketing_ops analyst metabase"
cleanup() {
    cd "$root"
    dropdb --if-exists "$db" 2>/dev/null || true
    for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# what varies from run to run: the backend's process id
normalize() { sed -E 's/server process with PID [0-9]+/server process with PID N/'; }

# compares (or, with TEST_DOCS_UPDATE=1, stores) the output of one part; the
# examples must not raise errors (the demo shows some refusals on purpose:
# third argument "errors shown")
status=0
check() {
    local name=$1 actual=$2 errors=${3:-}
    if [ "${TEST_DOCS_UPDATE:-0}" = 1 ]; then
        cp "$actual" "$expected/$name.out"
    elif ! diff -u "$expected/$name.out" "$actual"; then
        echo "docs: $name prints something else than test/docs/expected/$name.out (- expected, + now)"
        status=1
    fi
    if [ -z "$errors" ] && grep -q 'ERROR:' "$actual"; then
        echo "docs: an example of $name raises an error:"; grep -B2 'ERROR:' "$actual" | head -20
        status=1
    fi
}

dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" -c "CREATE ROLE $r"; done
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f test/demo/demo.sql 2>&1 | normalize > "$tmp/demo.out"
check demo "$tmp/demo.out" "errors shown"

# one psql script per file: each block between BEGIN and ROLLBACK, echoed
blocks=0
records=0
for f in README.md doc/*.md; do
    name=$(basename "$f" .md)
    awk -v file="$f" '
        /^ *```sql( fresh| 0\.1\.0| pg_cron)?[ \t]*$/ && !inside {
            inside = 1; kind = $2
            if (kind == "0.1.0" || kind == "pg_cron") { skip = 1; print "SKIP" > "/dev/stderr"; next }
            skip = 0
            print "\\set ECHO none"
            printf "\\echo \047-- %s, example %d\047\n", file, ++examples
            print "BEGIN;"
            if (kind == "fresh") {
                print "\\o /dev/null"
                print "SET LOCAL client_min_messages = warning;"
                print "DROP EXTENSION buying_group CASCADE;"
                print "\\o"
            }
            print "\\set ECHO all"
            next
        }
        /^ *```/ && inside {
            inside = 0
            if (!skip) { print "\\set ECHO none"; print "ROLLBACK;" }
            next
        }
        inside && !skip { print }
    ' "$f" > "$tmp/$name.sql" 2> "$tmp/$name.skipped"
    n=$(grep -c '^BEGIN;$' "$tmp/$name.sql" || true)
    s=$(grep -c SKIP "$tmp/$name.skipped" || true)
    blocks=$((blocks + n))
    records=$((records + s))
    [ "$n" -gt 0 ] || continue
    (cd "$tmp" && psql -X -q -d "$db" -f - < "$tmp/$name.sql" 2>&1) | grep -vxF '\set ECHO none' | normalize > "$tmp/$name.out"
    check "$name" "$tmp/$name.out"
done
echo "docs: the demo and $blocks SQL examples of README.md and doc/*.md checked ($records not run: transcripts of 0.1.0, pg_cron schedules), status $status"
exit $status
