# Sourced by the test and demo scripts: installs the Debian packages that
# building and testing buying_group need, when they are missing.

BG_PACKAGES="build-essential postgresql-15 postgresql-server-dev-15 libjansson-dev pkg-config"

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs whatever of BG_PACKAGES (and the extra packages given) is missing.
ensure_deps() {
    missing=""
    for p in $BG_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "Installing:$missing"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
    export PATH="/usr/lib/postgresql/15/bin:$PATH"
}

# Builds and installs the extension (warnings are errors).
build_and_install() {
    make -s clean >/dev/null
    make -s WERROR=1 PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
    as_root make -s install PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
}
