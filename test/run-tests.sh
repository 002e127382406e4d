#!/bin/bash
# Builds buying_group, starts a throw-away PostgreSQL 15 cluster and runs every
# test: the pg_regress and isolation suites, the rule-parser fuzz drivers (SQL and libFuzzer), the
# concurrency stress run, the docs that run (the demo and every SQL example of
# the docs, output checked) and the crash-recovery test. Ends with the
# line "N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/deps.sh
ensure_deps clang     # clang: the libFuzzer build of the rule parser
build_and_install
# the count is repeated after pg_virtualenv's own closing words, so that it
# stays the last line
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
pg_virtualenv -t -v 15 bash test/suites.sh 2>&1 | tee "$out" || status=1
grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1
exit $status
