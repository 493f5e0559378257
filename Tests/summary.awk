# Counts the tests of a `swift test` run from Swift Testing's console output, for the closing
# line of `make test`: "N passed, N failed, N skipped". One count per @Test function (a
# parameterized test counts once, as Swift Testing reports it). Skipped: a test whose
# `.enabled(if:)` condition was false ("Test x() skipped." or "skipped: "reason""), or that
# cancelled itself at run time ("Test x() was cancelled after ..."). A test that started but never
# ended (the process crashed) counts as failed. Exits 1 when anything failed.
/^[^ ]+ Test run /  { next }
/^[^ ]+ Test case / { next }
/^[^ ]+ Test .* started\.$/ { started++; next }
/^[^ ]+ Test .* passed after [0-9.]+ seconds?( with [0-9]+ known issues?)?\.$/ { passed++; next }
/^[^ ]+ Test .* failed after [0-9.]+ seconds? with .*\.$/ { failed++; next }
/^[^ ]+ Test .* skipped(\.|: ".*")$/ { skipped++; next }
/^[^ ]+ Test .* was cancelled after [0-9.]+ seconds?(\.|: ".*")$/ { cancelled++; next }
END {
    unfinished = started - passed - failed - cancelled
    if (unfinished > 0) failed += unfinished
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped + cancelled
    exit failed > 0
}
