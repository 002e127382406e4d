#!/bin/bash
# The built-in demo: installs what is missing, builds and installs
# buying_group, starts a throw-away PostgreSQL 15 cluster and runs
# test/demo/demo.sql in it (demo accounts and persons, a role template,
# title normalisation, role matching and its explanation, buying groups,
# completeness, membership, simulation, real time with events, engagement,
# stages, the sales alert, LinkedIn exports and KPIs).
# Works as root, or as a user with sudo. The cluster is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/deps.sh
ensure_deps
build_and_install
# -t: a cluster in a temporary directory even as root, so that the demo
# never collides with a test run (or another demo) using the "regress" cluster.
pg_virtualenv -t -v 15 psql -X -q -v ON_ERROR_STOP=1 -f test/demo/demo.sql
