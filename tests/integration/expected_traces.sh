#!/usr/bin/env bash
# Expected traces: every musl sample's fault and mm events are pinned down
# in tests/expected/NAME.trace and checked with `vmemu check`. When
# tests/expected/NAME.args exists, its words are the sample's arguments
# (small sizes keep the traces short; a directory is ".", the scratch
# directory the samples run in). A sample
# without an expected trace fails: create it with
#   build/vmemu check --update tests/expected/NAME.trace build/samples/NAME ARGS
# (docs/tracing.md explains when and how to regenerate them).
#
# usage: expected_traces.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: expected_traces.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
cd "$work" || exit 1

for bin in "$build"/samples/*-musl; do
    name=$(basename "$bin")
    expected="$src/tests/expected/$name.trace"
    if [ ! -f "$expected" ]; then
        echo "FAIL $name: no expected trace $expected"
        failed=$((failed + 1))
        continue
    fi
    args=()
    [ -f "$src/tests/expected/$name.args" ] && read -r -a args <"$src/tests/expected/$name.args"
    if timeout 120 "$vmemu" check "$expected" "$bin" "${args[@]}" >/dev/null 2>"$build/check-$name.err"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name:"
        grep -v '^bad_pointer\|^vmemu: [^c]' "$build/check-$name.err" | head -20 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
finish
