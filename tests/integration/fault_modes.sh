#!/usr/bin/env bash
# Inline and precise fault handling must count exactly the same faults and
# give the program the same results: every sample runs both ways and the
# fault summary lines and stdout are compared.
#
# usage: fault_modes.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: fault_modes.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

for bin in "$build"/samples/*-musl "$build"/samples/*-glibc; do
    name=$(basename "$bin")
    for mode in inline precise; do
        timeout 120 "$vmemu" run --fault-mode=$mode "$bin" >"$work/$mode.out" 2>"$work/$mode.err"
        echo $? >"$work/$mode.status"
        grep '^vmemu: faults:' "$work/$mode.err" >"$work/$mode.faults"
    done
    if [ ! -s "$work/inline.faults" ]; then
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
