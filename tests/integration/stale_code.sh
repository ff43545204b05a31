#!/usr/bin/env bash
# Stale translated code never runs (samples/code_reuse.c): code is read into
# an executable page at 0x10000000, run, unmapped; the address is mapped
# again and other code read in and run; then code is replaced in place. The
# fault trace proves the second mapping reused the first one's frame, so a
# translation cached for that frame would have been found, and the program's
# output proves the new code ran each time.
#
# usage: stale_code.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: stale_code.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

for bin in "$build"/samples/code_reuse-musl "$build"/samples/code_reuse-glibc; do
    name=$(basename "$bin")
    for mode in precise inline; do
        : >"$work/t"
        # Tracing faults forces precise handling: the inline run is untraced.
        if [ "$mode" = precise ]; then
            "$build/vmemu" run --quiet --fault-mode=precise --trace=fault --trace-file="$work/t" "$bin" >"$work/out" 2>/dev/null
        else
            "$build/vmemu" run --quiet --fault-mode=inline "$bin" >"$work/out" 2>/dev/null
        fi
        status=$?
        printf 'first code returned 1\ncode at the same address after remapping returned 2\ncode replaced in place returned 3\ncode stored over the zero page returned 4\n' >"$work/want"
        pfns=$(grep -o 'anon-new   write 0x10000000 .* via pread64 .* pfn=0x[0-9a-f]*' "$work/t" | sed 's/.*pfn=//' | sort -u)
        count=$(grep -c 'anon-new   write 0x10000000 .* via pread64 ' "$work/t")
        if [ "$status" -ne 0 ] || ! cmp -s "$work/out" "$work/want"; then
            echo "FAIL $name/$mode: stale code ran or the program failed (status $status):"
            sed 's/^/    /' "$work/out"
            failed=$((failed + 1))
        elif [ "$mode" = precise ] && { [ "$count" -ne 2 ] || [ "$(printf '%s' "$pfns" | grep -c .)" -ne 1 ]; }; then
            echo "FAIL $name: expected two faults at 0x10000000 on one reused frame, got $count on: $pfns"
            failed=$((failed + 1))
        else
            echo "PASS $name/$mode${pfns:+ (frame $pfns reused)}"
            passed=$((passed + 1))
        fi
    done
done
finish
