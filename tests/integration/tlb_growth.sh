#!/usr/bin/env bash
# Unicorn's TLB grows with the working set (emu/cpu.c, grow_tlb). A program
# reading 2048 pages 40 times over misses a 256-entry direct-mapped TLB on
# every read: 81,920 fills or more when the TLB keeps Unicorn's first size
# (VMEMU_TEST_TLB_NO_GROW=1), a few thousand when vmemu lets QEMU double it.
# The fills are counted by VMEMU_TEST_TLB_STATS=1. Both runs, in inline and
# precise fault modes, must print what the native run prints and take the
# same faults. And with Unicorn linked statically, its walk of the whole
# TLB after each translated block is skipped (emu/tcg_code_dirty.c): the
# count of walks skipped is not 0 (with the shared library it is).
#
# usage: tlb_growth.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: tlb_growth.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

prog="$build/tests/programs/tlb_sweep-musl"
require "$vmemu" "$prog"
cd "$work" || exit 1

pages=2048 rounds=40
native=$(setarch -R "$prog" $pages $rounds) || fail native "exit status $?"

# run NAME NO_GROW MODE: the output must be native's; sets fills, flushes, faults.
run() {
    local name=$1 no_grow=$2 mode=$3 out
    out=$(VMEMU_TEST_TLB_STATS=1 VMEMU_TEST_TLB_NO_GROW=$no_grow \
        "$vmemu" run --fault-mode="$mode" "$prog" $pages $rounds 2>"$name.err")
    if [ "$out" != "$native" ]; then
        fail "$name" "printed '$out', natively '$native'"
        return 1
    fi
    read -r fills flushes < <(sed -n 's/^vmemu: tlb: \([0-9]*\) fills, \([0-9]*\) flushes.*/\1 \2/p' "$name.err")
    faults=$(sed -n 's/^vmemu: faults: \(.*\)/\1/p' "$name.err")
    if [ -z "$fills" ] || [ -z "$faults" ]; then
        fail "$name" "no TLB or fault counts: $(head -c 300 "$name.err")"
        return 1
    fi
}

# walks_skipped NAME: the count VMEMU_TEST_TLB_STATS printed for that run.
walks_skipped() {
    sed -n 's/^vmemu: tlb: .* \([0-9]*\) walks after translation skipped$/\1/p' "$1.err"
}

for mode in inline precise; do
    run "grown-$mode" 0 "$mode" || continue
    grown_fills=$fills grown_faults=$faults
    run "fixed-$mode" 1 "$mode" || continue
    if [ "$grown_faults" != "$faults" ]; then
        fail "faults-$mode" "grown: $grown_faults; fixed: $faults"
    elif [ "$fills" -lt $((pages * rounds)) ]; then
        fail "fixed-$mode" "$fills fills: a 256-entry TLB cannot hold $pages pages; is the counter right?"
    elif [ "$grown_fills" -gt $((pages * 4)) ]; then
        fail "grown-$mode" "$grown_fills fills for $pages pages read $rounds times (fixed size: $fills)"
    else
        pass "$mode: $grown_fills fills with growth, $fills without, same output and faults ($grown_faults)"
    fi
done
walks=$(walks_skipped grown-inline)
if "$vmemu" --version | grep -q 'Unicorn .*linked statically'; then
    if [ -n "$walks" ] && [ "$walks" -gt 0 ]; then
        pass "static Unicorn: $walks TLB walks after translation skipped"
    else
        fail walks "static Unicorn, yet no TLB walk after translation was skipped ('$walks')"
    fi
elif [ "$walks" = 0 ]; then
    pass "shared Unicorn: its TLB walks after translation run (none skipped)"
else
    fail walks "shared Unicorn, yet '$walks' walks skipped"
fi
finish
