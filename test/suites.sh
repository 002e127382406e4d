#!/bin/bash
# Runs inside a throw-away cluster (pg_virtualenv sets PGHOST and friends):
# every test suite, counted into one closing line.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0

echo "== pg_regress"
make -s installcheck PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config 2>&1 | tee regress.log
ok=$(grep -cE '\.\.\. ok' regress.log || true)
bad=$(grep -cE '\.\.\. FAILED|failed \(ignored\)' regress.log || true)
passed=$((passed + ok))
failed=$((failed + bad))
if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
    echo "pg_regress ran no test"
    failed=$((failed + 1))
fi
[ -f regression.diffs ] && head -200 regression.diffs
rm -f regress.log

echo "== upgrade: the released 0.1.0 updated to this version equals a fresh install"
if bash test/upgrade/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== backup and restore: pg_dump, then psql and pg_restore (with and without --jobs)"
if bash test/restore/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== fuzz driver over the rule parser"
if bash test/fuzz/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== libFuzzer over the rule parser, with AddressSanitizer and UndefinedBehaviorSanitizer"
if bash test/fuzz/libfuzzer/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== concurrency stress: pgbench writers on skewed accounts, then verify_scores()"
if bash test/stress/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== docs that run: the demo and every SQL example of README.md and doc/*.md, output checked"
if bash test/docs/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== crash recovery: an immediate shutdown mid-load, then verify_scores() (restarts the cluster: last)"
if bash test/crash/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
