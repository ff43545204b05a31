#!/usr/bin/env bash
# Inline and precise fault handling must count exactly the same faults and
# give the program the same results: every sample runs both ways and the
# fault summary lines and stdout are compared. Each run must end with the
# sample's own exit status (sample_status), its arguments those of
# tests/expected (sample_args), run in the scratch directory.
#
# usage: fault_modes.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: fault_modes.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
cd "$work" || exit 1

i=-1
for bin in "$build"/samples/*-musl "$build"/samples/*-glibc; do
    i=$((i + 1))
    in_shard $i || continue
    name=$(basename "$bin")
    sample_args "$name"
    want=$(sample_status "$name")
    for mode in inline precise; do
        timeout 120 "$vmemu" run --fault-mode=$mode "$bin" "${args[@]}" >"$work/$mode.out" 2>"$work/$mode.err"
        echo $? >"$work/$mode.status"
        grep '^vmemu: faults:' "$work/$mode.err" >"$work/$mode.faults"
    done
    if [ "$(cat "$work/inline.status")" != "$want" ] || [ "$(cat "$work/precise.status")" != "$want" ]; then
        echo "FAIL $name: exit status inline $(cat "$work/inline.status"), precise $(cat "$work/precise.status"), want $want"
        failed=$((failed + 1))
    elif [ ! -s "$work/inline.faults" ]; then
        echo "FAIL $name: no fault summary"
        failed=$((failed + 1))
    elif ! cmp -s "$work/inline.faults" "$work/precise.faults"; then
        echo "FAIL $name: counts differ: inline '$(cat "$work/inline.faults")' precise '$(cat "$work/precise.faults")'"
        failed=$((failed + 1))
    elif ! cmp -s "$work/inline.out" "$work/precise.out" ||
        ! cmp -s "$work/inline.status" "$work/precise.status"; then
        echo "FAIL $name: output or status differ between modes"
        failed=$((failed + 1))
    else
        echo "PASS $name: $(cat "$work/inline.faults")"
        passed=$((passed + 1))
    fi
done
finish
