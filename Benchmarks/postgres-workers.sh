#!/usr/bin/env bash
# The nightly batch on PostgreSQL with 1, 2 and 4 worker processes, next to the same batch on
# SQLite, on a throwaway server (Tests/tools/pg-cluster.sh) with pg_stat_statements, so that the
# server's share of the time is measured rather than guessed.
#
#   Benchmarks/postgres-workers.sh [MOVEMENTS] [INCIDENTS]     (defaults: 100000 50000)
#   CONFIGURATIONS="sqlite batch 2" Benchmarks/postgres-workers.sh ...   (default: sqlite batch 1 2 4)
#
# Uses the release build in .build-release (swift build -c release --scratch-path .build-release).
# Each configuration runs on a fresh copy of one seeded store (`store copy`), a full run
# (--full), every process scoring on one task (--jobs 1), so N workers use N cores. Prints one
# Markdown row per configuration: wall time, movements per second, and the server's execution
# time (pg_stat_statements) as a share of the workers' process time.
set -euo pipefail
cd "$(dirname "$0")/.."
movements=${1:-100000}
incidents=${2:-50000}
routerisk=${ROUTERISK:-.build-release/release/routerisk}
[ -x "$routerisk" ] || { echo "build first: swift build -c release --scratch-path .build-release" >&2; exit 1; }

work=$(mktemp -d /tmp/routerisk-bench.XXXXXX)
cluster=$(mktemp -d /tmp/routerisk-bench-pg.XXXXXX)  # its own folder: the server's user must reach it
trap 'Tests/tools/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
Tests/tools/pg-cluster.sh start "$cluster" >/dev/null
# shellcheck disable=SC1091
. "$cluster/env"
pg_dir=$ROUTERISK_TEST_POSTGRES_DIR
port=$(cat "$pg_dir/port")
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_db() { as_owner psql -h "$pg_dir/socket" -p "$port" -U routerisk -d "$1" -qAt -c "$2"; }
# pg_stat_statements needs the library loaded at start.
echo "shared_preload_libraries = 'pg_stat_statements'" >>"$pg_dir/data/postgresql.conf"
Tests/tools/pg-cluster.sh halt "$pg_dir" && Tests/tools/pg-cluster.sh resume "$pg_dir"

"$routerisk" generate --out "$work/data" --movements "$movements" --incidents "$incidents" --seed 42 >/dev/null
seed="$work/seed.sqlite"
"$routerisk" store init --empty --store "$seed" >/dev/null
"$routerisk" store import routes "$work/data/routes.geojson" --store "$seed" >/dev/null
"$routerisk" store import movements "$work/data/movements.csv" --store "$seed" >/dev/null
"$routerisk" store import incidents "$work/data/incidents.csv" --store "$seed" >/dev/null
run=(--as-of 2025-06-01T00:00:00Z --window 2d --full --jobs 1 --format json)

echo "| configuration | wall | movements/s | server time / process time |"
echo "|---|---|---|---|"

configurations=${CONFIGURATIONS:-sqlite batch 1 2 4}
for workers in $configurations; do
    if [ "$workers" = sqlite ]; then
        cp "$seed" "$work/alone.sqlite"
        start=$(date +%s.%N)
        "$routerisk" batch --store "$work/alone.sqlite" "${run[@]}" >/dev/null 2>&1
        end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" -v n="$movements" 'BEGIN { printf "| SQLite, batch, 1 process | %.1f s | %.0f | - |\n", e - s, n / (e - s) }'
        continue
    fi
    db="bench_$workers"
    psql_db postgres "CREATE DATABASE $db TEMPLATE routerisk_test"
    url="${ROUTERISK_TEST_POSTGRES%/*}/$db"
    "$routerisk" store copy --from "$seed" --to "$url" >/dev/null
    psql_db "$db" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
    start=$(date +%s.%N)
    if [ "$workers" = batch ]; then
        "$routerisk" batch --store "$url" "${run[@]}" >/dev/null 2>&1
        processes=1
    else
        pids=()
        for _ in $(seq "$workers"); do
            "$routerisk" worker --store "$url" "${run[@]}" >/dev/null 2>&1 & pids+=($!)
        done
        for pid in "${pids[@]}"; do wait "$pid"; done
        processes=$workers
    fi
    end=$(date +%s.%N)
    server_ms=$(psql_db "$db" "SELECT round(sum(total_exec_time)) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '$db'")
    scored=$(psql_db "$db" "SELECT scored FROM runs ORDER BY id DESC LIMIT 1")
    label=$([ "$workers" = batch ] && echo "PostgreSQL, batch, 1 process" || echo "PostgreSQL, $workers worker process(es)")
    awk -v s="$start" -v e="$end" -v n="$scored" -v ms="$server_ms" -v p="$processes" -v l="$label" \
        'BEGIN { printf "| %s | %.1f s | %.0f | %.1f %% |\n", l, e - s, n / (e - s), 100 * ms / 1000 / (p * (e - s)) }'
done
