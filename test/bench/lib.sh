# Sourced by the benchmark programs.

# Runs a client program: as the postgres OS user when root with no PGUSER or
# PGHOST set (a local cluster's peer authentication), as is otherwise.
run() {
    if [ "$(id -u)" -eq 0 ] && [ -z "${PGUSER:-}" ] && [ -z "${PGHOST:-}" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# psql on the benchmark's database ($db), unaligned, stopping at the first error.
sql() { run psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
