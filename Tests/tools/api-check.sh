#!/usr/bin/env bash
# Checks the HTTP API against its own description: docs/openapi.json must be a valid OpenAPI 3.1
# document (openapi-spec-validator), and a bounded schemathesis run against `routerisk serve` on a
# loopback port must find no server error, no undocumented status or media type, and no answer
# that breaks its schema. Usage: api-check.sh PYTHON_VENV ROUTERISK_BINARY
set -euo pipefail
venv=$1
routerisk=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$venv/bin/python" -c "
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))
print('api-check: docs/openapi.json is a valid OpenAPI 3.1 document')
" "$root/docs/openapi.json"

# A write token, so that every endpoint is reachable (its digest alone goes in the file), and a
# store with the bundled data and one batch run, so that the store endpoints have something to read.
token=$("$routerisk" token --role write --label schemathesis --file "$work/tokens")
cd "$root"
"$routerisk" store init --store "$work/store.sqlite" > /dev/null
"$routerisk" batch --store "$work/store.sqlite" --as-of 2025-06-01T00:00:00Z --window 7d --format json > /dev/null 2>&1
# A small route-km limit keeps every generated request quick in a debug build; longer bodies get 413.
"$routerisk" serve --port 0 --store "$work/store.sqlite" --tokens "$work/tokens" --time-limit 20 --max-route-km 5000 2> "$work/server.log" &
server=$!
port=""
for _ in $(seq 1 300); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/server.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
done
[ -n "$port" ] || { echo "api-check: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

# Bounded: a fixed seed and a few examples per operation keep the run to a minute or two. The
# coverage phase is left out: under Python 3.11 it stops with "AST constructor recursion depth
# mismatch" inside schemathesis itself (it inspects hypothesis's lambdas), not in the server.
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --header "Authorization: Bearer $token" \
    --phases examples,fuzzing,stateful \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "${API_CHECK_EXAMPLES:-40}" --seed 13 --workers 2 \
    --request-timeout 30 --max-response-time 25 --no-color
echo "api-check: schemathesis found nothing"
