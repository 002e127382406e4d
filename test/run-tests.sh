#!/bin/bash
# Builds buying_group, starts a throw-away PostgreSQL 15 cluster and runs every
# test: the pg_regress suites and the rule-parser fuzz driver. Ends with the
# line "N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/deps.sh
ensure_deps
build_and_install
pg_virtualenv -t -v 15 bash test/suites.sh
