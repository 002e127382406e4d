#!/bin/bash
# Runs the rule fuzz driver against the server in the environment
# (PGHOST, PGPORT, PGUSER). FUZZ_SEED, FUZZ_ITERATIONS and FUZZ_SECONDS bound it.
set -euo pipefail
cd "$(dirname "$0")"
seed=${FUZZ_SEED:-0.1234}
iterations=${FUZZ_ITERATIONS:-100000}
seconds=${FUZZ_SECONDS:-60}
# a database of its own: the driver binds its table and makes templates and audiences
db=${FUZZ_DATABASE:-bg_fuzz}
dropdb --if-exists "$db"
createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
PGOPTIONS="-c fuzz.iterations=$iterations -c fuzz.seconds=$seconds" \
    psql -X -q -v ON_ERROR_STOP=1 -v seed="$seed" -d "$db" -f fuzz_rules.sql
