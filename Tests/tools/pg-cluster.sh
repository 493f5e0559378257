#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for the tests.
#
#   pg-cluster.sh start DIR    initdb into DIR/data, start the server on a Unix socket in DIR and a
#                              loopback port, create the database with postgis, write DIR/env
#   pg-cluster.sh stop DIR     stop the server and remove DIR (safe to call twice, or after a
#                              failed start)
#   pg-cluster.sh halt DIR     stop the server, keeping its data (tests that lose the server mid-run)
#   pg-cluster.sh resume DIR   start a halted server again on the same socket and port
#
# DIR/env exports, for the tests:
#   ROUTERISK_TEST_POSTGRES           the database's URL over the Unix socket (trusted, no password)
#   ROUTERISK_TEST_POSTGRES_TCP       the same database over 127.0.0.1 with TLS on offer; needs the password
#   ROUTERISK_TEST_POSTGRES_PASSWORD  that password (random for each cluster)
#   ROUTERISK_TEST_POSTGRES_DIR       DIR, for halt and resume
#
# The server refuses to run as root, so when this runs as root the cluster belongs to the
# unprivileged `postgres` user (created by the postgresql packages) and every server command runs
# as that user; otherwise it runs as the calling user.
set -euo pipefail

usage() { echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

# The newest server of version 15 or later.
bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n); do
    version=$(basename "$(dirname "$candidate")")
    if [ "${version%%.*}" -ge 15 ] 2>/dev/null && [ -x "$candidate/postgres" ]; then bindir=$candidate; fi
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then
    bindir=$(pg_config --bindir)
fi
[ -n "$bindir" ] || { echo "pg-cluster: no PostgreSQL 15 or later server found (install postgresql-15)" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id "$owner" >/dev/null 2>&1 || { echo "pg-cluster: running as root and there is no postgres user" >&2; exit 1; }
    as_owner() { runuser -u "$owner" -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi

socket="$dir/socket"
data="$dir/data"
log="$dir/server.log"
user=routerisk
database=routerisk_test

server_start() {
    local port=$1
    # The server must not inherit the caller's descriptors beyond the standard three: a caller
    # that waits for this script through a pipe or socket would otherwise wait for the server.
    (
        for fd in /proc/self/fd/*; do
            n=${fd##*/}
            if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null || true; fi
        done
        as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
            -o "-p $port -k $socket -c listen_addresses=127.0.0.1" >/dev/null
    )
}

case "$action" in
start)
    mkdir -p "$dir"
    case "$dir" in /*) ;; *) dir=$(cd "$dir" && pwd); socket="$dir/socket"; data="$dir/data"; log="$dir/server.log" ;; esac
    # A Unix socket path must fit in 107 bytes.
    [ ${#socket} -lt 90 ] || { echo "pg-cluster: $dir is too long a path for a Unix socket" >&2; exit 1; }
    mkdir -p "$socket"
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" >"$dir/password"
    chmod 700 "$dir"
    [ "$owner" = "$(id -un)" ] || chown -R "$owner" "$dir"

    # Trust on the socket, a password (SCRAM) over TCP, so that both ways of logging in are tested.
    as_owner "$bindir/initdb" -D "$data" -U "$user" --pwfile="$dir/password" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    {
        echo "fsync = off"                 # a throwaway cluster: speed over durability
        echo "max_connections = 200"
        echo "unix_socket_permissions = 0777"
    } >>"$data/postgresql.conf"
    # TLS on the loopback port with a self-signed certificate, when openssl is there, so that
    # sslmode=require has a server that offers it (the socket never does).
    if command -v openssl >/dev/null 2>&1; then
        as_owner openssl req -new -x509 -days 2 -nodes -subj "/CN=localhost" -newkey rsa:2048 \
            -keyout "$data/server.key" -out "$data/server.crt" >/dev/null 2>&1
        chmod 600 "$data/server.key"
        echo "ssl = on" >>"$data/postgresql.conf"
    fi

    # A free loopback port: try a few random ones.
    started=""
    for _ in 1 2 3 4 5 6 7 8; do
        port=$((20000 + RANDOM % 30000))
        if server_start "$port" 2>/dev/null; then started=$port; break; fi
    done
    [ -n "$started" ] || { echo "pg-cluster: the server did not start; its log:" >&2; cat "$log" >&2; exit 1; }
    echo "$started" >"$dir/port"

    as_owner "$bindir/psql" -h "$socket" -p "$started" -U "$user" -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE DATABASE $database" >/dev/null
    as_owner "$bindir/psql" -h "$socket" -p "$started" -U "$user" -d "$database" -v ON_ERROR_STOP=1 -q \
        -c "CREATE EXTENSION postgis" >/dev/null ||
        { echo "pg-cluster: CREATE EXTENSION postgis failed (install postgresql-15-postgis-3)" >&2; exit 1; }

    encoded_socket=$(printf '%s' "$socket" | sed 's|/|%2F|g')
    cat >"$dir/env" <<EOF
export ROUTERISK_TEST_POSTGRES='postgres://$user@$encoded_socket:$started/$database'
export ROUTERISK_TEST_POSTGRES_TCP='postgres://$user@127.0.0.1:$started/$database'
export ROUTERISK_TEST_POSTGRES_PASSWORD='$password'
export ROUTERISK_TEST_POSTGRES_DIR='$dir'
EOF
    chmod 644 "$dir/env"
    echo "pg-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') with PostGIS on $socket and 127.0.0.1:$started"
    ;;
stop)
    if [ -f "$data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
halt)
    as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null
    ;;
resume)
    server_start "$(cat "$dir/port")"
    ;;
*)
    usage
    ;;
esac
