#!/usr/bin/env bash
# Expected traces: tests/expected/ is a suite of `vmemu check` (a directory
# of self-describing NAME.expected files, each naming its program and its
# arguments; docs/tracing.md, "Expected traces"), run as CI would run it:
# `vmemu check --suite` in parallel, with JUnit and JSON reports, which are
# then validated by parsing them; then again with start-up perturbed
# (VMEMU_TEST_PERTURB), which the normalized and summary files must not
# notice. Every musl sample must have its expected
# file; adding one is one file:
#   build/vmemu check --update tests/expected/NAME.expected build/samples/NAME ARGS
# The programs are the ones this build made (--programs), whatever path
# the headers recorded.
#
# usage: expected_traces.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: expected_traces.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

require "$vmemu"
dir="$src/tests/expected"
# Cases run here: a sample given a directory (".") writes into the scratch directory.
cd "$work" || exit 1

# Every sample has its case, and nothing in the directory is left out of the suite
# (a NAME.trace from before expected files had headers would be ignored).
wanted=()
for bin in "$build"/samples/*-musl; do
    name=$(basename "$bin")
    if [ -f "$dir/$name.expected" ]; then
        wanted+=("$name=pass")
    else
        fail "$name" "no expected file: build/vmemu check --update tests/expected/$name.expected build/samples/$name [ARGS]"
    fi
done
for f in "$dir"/*; do
    case $f in
    *.expected) [ -x "$build/samples/$(basename "$f" .expected)" ] ||
        fail "$(basename "$f")" "no sample of that name in $build/samples" ;;
    *) fail "$(basename "$f")" "not an expected file: the suite would ignore it (see docs/tracing.md)" ;;
    esac
done

# The suite, two cases at a time; the reports kept in the build for CI to publish.
junit="$build/expected-traces.junit.xml"
json="$build/expected-traces.json"
rm -f "$junit" "$json"
"$vmemu" check --suite "$dir" --programs "$build/samples" -j2 --junit "$junit" --json "$json" \
    >"$work/table" 2>"$work/err" </dev/null
rc=$?
grep -v '^pass ' "$work/table" | sed 's/^/    /'
sed 's/^/    stderr: /' "$work/err" | head -5
if [ "$rc" -eq 0 ]; then
    pass "vmemu check --suite tests/expected: $(tail -1 "$work/table")"
else
    fail "vmemu check --suite tests/expected" "status $rc"
fi
if python3 "$src/tests/integration/lib/check_reports.py" "$junit" "$json" "${wanted[@]}" \
    >"$work/reports"; then
    pass "JUnit and JSON reports parse and list every case as passed: $(cat "$work/reports")"
else
    fail "JUnit and JSON reports" "$(tr '\n' '|' <"$work/reports")"
fi

# The files do not churn: with start-up perturbed as a change elsewhere in vmemu might
# (VMEMU_TEST_PERTURB: extra pages and a kernel object at start-up, frames handed out in
# another order), which would fail every exact trace, the suite still passes.
VMEMU_TEST_PERTURB=pages=1,kmalloc=3000,scatter=200 "$vmemu" check --suite "$dir" \
    --programs "$build/samples" -j2 >"$work/table" 2>"$work/err" </dev/null
rc=$?
if [ "$rc" -eq 0 ]; then
    pass "with start-up perturbed: $(tail -1 "$work/table")"
else
    grep -v '^pass ' "$work/table" | head -20 | sed 's/^/    /'
    fail "with start-up perturbed" "status $rc"
fi
finish
