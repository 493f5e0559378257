#!/usr/bin/env bash
# Runs routerisk (exact on 1 job, default path on 2 jobs) and the Python peer of the spec on the
# same generated workloads, written to files both read, and prints time, peak memory and the
# ratio of each to routerisk's exact run, from the same run, plus how far the peer's exposures
# are from routerisk's. Usage: run.sh ROUTERISK PYTHON [ROUTES:INCIDENTS ...]
set -euo pipefail
routerisk=$1 python=$2
shift 2
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(50:5000 400:20000)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"type":"FeatureCollection","features":[]}' > "$work/zones.geojson"
echo '{}' > "$work/model.json"   # the spec's default model
as_of=2025-06-01

# Runs a command under /usr/bin/time -v; prints "seconds MiB".
measure() {
    local out=$1
    shift
    /usr/bin/time -v "$@" > "$out" 2> "$work/time.txt"
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
                /Maximum resident set size/ { m = $2 / 1024 } END { printf "%.2f %.0f\n", s, m }' "$work/time.txt"
}

printf '%-22s %-24s %-24s %-30s %s\n' workload "exact, 1 job" "default, 2 jobs" "python peer" "peer vs exact (worst)"
for w in "${workloads[@]}"; do
    routes=${w%%:*} incidents=${w##*:}
    dir="$work/$routes-$incidents"
    "$routerisk" generate --out "$dir" --movements "$routes" --incidents "$incidents" --seed 42 > /dev/null
    common=("$dir/routes.geojson" --incidents "$dir/incidents.csv" --zones "$work/zones.geojson" --model "$work/model.json"
            --as-of "$as_of" --format json --allow-empty)
    read -r te me < <(measure "$work/exact.json" "$routerisk" score "${common[@]}" --exact --jobs 1)
    read -r tf mf < <(measure "$work/fast.json" "$routerisk" score "${common[@]}" --jobs 2)
    read -r tp mp < <(measure "$work/peer.json" "$python" "$here/spec_peer.py" "$dir/routes.geojson" "$dir/incidents.csv" "$as_of")
    worst=$("$python" - "$work/exact.json" "$work/peer.json" <<'PY'
import json, sys
exact = {r["id"]: r["incident_exposure"] for r in json.load(open(sys.argv[1]))["routes"]}
peer = json.load(open(sys.argv[2]))
print("%.2f %%" % (100 * max(abs(peer[k] - v) / v for k, v in exact.items() if v > 1)))
PY
)
    printf '%-22s %-24s %-24s %-30s %s\n' "$routes routes, $incidents inc." "$te s, $me MiB" "$tf s, $mf MiB" \
        "$tp s, $mp MiB ($(awk -v p="$tp" -v e="$te" 'BEGIN { printf "%.1fx", p / e }'))" "$worst"
done
