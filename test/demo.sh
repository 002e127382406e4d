#!/bin/bash
# The built-in demo: installs what is missing, builds and installs
# buying_group, starts a throw-away PostgreSQL 15 cluster and runs
# test/demo/demo.sql in it (demo accounts and persons, a role template,
# title normalisation, role matching and its explanation, buying groups,
# completeness, membership, simulation, real time with events, engagement,
# stages, the sales alert, LinkedIn exports and KPIs).
# Works as root, or as a user with sudo. The cluster is dropped at the end;
# with --keep it is a cluster of its own (buying_group_demo) that stays, with
# the demo in database "demo", and the script prints how to connect to it and
# how to drop it.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false
case "${1:-}" in
    --keep) keep=true ;;
    '') ;;
    *) echo "usage: test/demo.sh [--keep]" >&2; exit 2 ;;
esac
. test/deps.sh
ensure_deps
build_and_install
if ! $keep; then
    # -t: a cluster in a temporary directory even as root, so that the demo
    # never collides with a test run (or another demo) using the "regress" cluster.
    pg_virtualenv -t -v 15 psql -X -q -v ON_ERROR_STOP=1 -f test/demo/demo.sql
    exit 0
fi
cluster=buying_group_demo
if pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "15 $cluster"; then
    echo "A cluster 15/$cluster exists already; drop it first: sudo pg_dropcluster --stop 15 $cluster" >&2
    exit 1
fi
as_root pg_createcluster 15 "$cluster" --start >/dev/null
port=$(pg_lsclusters -h | awk -v c="$cluster" '$1 == 15 && $2 == c {print $3}')
as_root runuser -u postgres -- createdb -p "$port" demo
# read on stdin: the postgres user need not be able to read this checkout
as_root runuser -u postgres -- psql -p "$port" -d demo -X -q -v ON_ERROR_STOP=1 < test/demo/demo.sql
cat <<MSG

The demo stays in database "demo" of cluster 15/$cluster (port $port). Connect with
    sudo -u postgres psql -p $port -d demo
and drop the cluster when done with
    sudo pg_dropcluster --stop 15 $cluster
MSG
