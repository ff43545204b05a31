#!/usr/bin/env bash
# Expected traces: every musl sample's fault and mm events are pinned down
# in tests/expected/NAME.trace and checked with `vmemu check`. When
# tests/expected/NAME.args exists, its words are the sample's arguments
# (small sizes keep the traces short; a directory is ".", the directory
# the samples run in). A sample without an expected trace fails.
#
# The samples run in a scratch directory whose path is always 120
# characters long: a path the kernel keeps (a file a sample creates there)
# is a kmalloc object whose size class, and so every later frame number,
# follows from its length; a fixed length keeps the traces the same
# whatever TMPDIR is.
#
# With VMEMU_UPDATE_EXPECTED=1 the traces are written instead of checked
# (`vmemu check --update`): how to create or regenerate them
# (docs/tracing.md says when).
#
# usage: expected_traces.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: expected_traces.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
pad=$((120 - ${#work} - 1))
if [ $pad -lt 1 ]; then
    echo "FAIL: the scratch directory $work is too long for a 120-character run directory"
    echo "0 passed, 1 failed"
    exit 1
fi
run_dir=$work/$(printf '%*s' $pad '' | tr ' ' p)
mkdir "$run_dir" && cd "$run_dir" || exit 1
update=()
[ "${VMEMU_UPDATE_EXPECTED:-0}" = 1 ] && update=(--update)

for bin in "$build"/samples/*-musl; do
    name=$(basename "$bin")
    expected="$src/tests/expected/$name.trace"
    if [ ! -f "$expected" ] && [ ${#update[@]} -eq 0 ]; then
        echo "FAIL $name: no expected trace $expected"
        failed=$((failed + 1))
        continue
    fi
    args=()
    [ -f "$src/tests/expected/$name.args" ] && read -r -a args <"$src/tests/expected/$name.args"
    if timeout 120 "$vmemu" check "${update[@]}" "$expected" "$bin" "${args[@]}" \
        </dev/null >/dev/null 2>"$build/check-$name.err"; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name:"
        grep -v '^bad_pointer\|^vmemu: [^c]' "$build/check-$name.err" | head -20 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
finish
