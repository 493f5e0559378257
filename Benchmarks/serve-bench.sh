#!/usr/bin/env bash
# Load on `routerisk serve` over loopback with wrk: requests per second and latency percentiles
# for one 510 km route and for a 50-route request (15,349 km, so the exact path), against 5,000
# synthetic incidents (seed 42) and the bundled zones and model.
# Usage: Benchmarks/serve-bench.sh ROUTERISK_BINARY [SECONDS]   (wrk from Debian's packages)
set -euo pipefail
routerisk=$1
seconds=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "serve-bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

# Seed 2 cuts a whole 510 km corridor; seed 42 gives the incidents and the 50 routes.
"$routerisk" generate --out "$work/one" --movements 1 --incidents 10 --min-km 500 --max-km 500 --seed 2 > /dev/null
"$routerisk" generate --out "$work/fifty" --movements 50 --incidents 5000 --seed 42 > /dev/null

cd "$root"
"$routerisk" serve --port 0 --incidents "$work/fifty/incidents.csv" 2> "$work/server.log" &
server=$!
port=""
for _ in $(seq 1 300); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/server.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.2
done
[ -n "$port" ] || { echo "serve-bench: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

cat > "$work/post.lua" <<'LUA'
local file = io.open(os.getenv("BODY"), "rb")
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/geo+json"
LUA

run() {
    local label=$1 body=$2 query=$3 connections=$4
    echo "== $label, $connections connections, $seconds s"
    BODY="$body" wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" \
        "http://127.0.0.1:$port/v1/score?as_of=2025-06-01$query" | sed -n '/Latency Distribution/,/Transfer/p;/Non-2xx/p'
}
run "one 510 km route" "$work/one/routes.geojson" "" 1
run "one 510 km route" "$work/one/routes.geojson" "" 2
run "one 510 km route" "$work/one/routes.geojson" "" 8
run "50 routes" "$work/fifty/routes.geojson" "" 1
run "50 routes" "$work/fifty/routes.geojson" "" 2
run "50 routes" "$work/fifty/routes.geojson" "" 8
grep -c ' 200 ' "$work/server.log" | sed 's/^/requests answered 200: /'
