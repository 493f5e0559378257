#!/bin/sh
# Runs every fuzz target (or those named) for FUZZ_SECONDS each with libFuzzer and AddressSanitizer,
# from the seed corpus in Fuzz/corpus/<target> plus what earlier runs added in .build-fuzz/corpus.
# With FUZZ_LOG=1 it appends a row per target to docs/fuzzing.md (date, target, seconds,
# executions, findings). A finding (crash, leak, timeout) is kept in Fuzz/findings/<target>/ and
# fails the run: turn it into a regression test, then delete it.
set -eu
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-10}
binary=.build-fuzz/debug/routerisk-fuzz
targets=${*:-json csv date incidents zones routes movements model store}
status=0
for target in $targets; do
    work=.build-fuzz/corpus/$target
    findings=Fuzz/findings/$target
    mkdir -p "$work" "$findings"
    log=$(mktemp)
    # The store target reads whole database files: it needs longer inputs than the default.
    maxlen=4096; [ "$target" = store ] && maxlen=262144
    if LSAN_OPTIONS="suppressions=$PWD/Tests/lsan.supp" FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=$maxlen \
        -artifact_prefix="$findings/" -print_final_stats=1 "$work" "Fuzz/corpus/$target" >"$log" 2>&1; then
        result=ok
    else
        result=FINDING; status=1
        tail -30 "$log" >&2
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    found=$(find "$findings" -type f | wc -l | tr -d ' ')
    echo "fuzz $target: ${runs:-0} executions in ${took:-$seconds} s, $found findings ($result)"
    if [ "${FUZZ_LOG:-0}" = 1 ]; then
        echo "| $(date -u +%Y-%m-%d) | $target | ${took:-$seconds} | ${runs:-0} | $found |" >> docs/fuzzing.md
    fi
    rm -f "$log"
done
exit $status
