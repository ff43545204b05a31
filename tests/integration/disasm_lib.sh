#!/usr/bin/env bash
# Capstone loaded on first use (emu/disasm_lib.c). vmemu is not linked
# with libcapstone (no NEEDED entry), and a run that decodes nothing never
# loads it (ld.so's LD_DEBUG=files list); a death report loads it and
# decodes the faulting instruction, and so does a fault trace (fork_cow:
# two processes, on vmemu's one CPU and its one decoder). When the library cannot
# be loaded (VMEMU_TEST_CAPSTONE_SONAME naming a library that does not
# exist, or one without Capstone's functions), vmemu runs on: the program
# dies as it does with Capstone, stderr says once, on one line, why the
# disassembler is unavailable, the death report says the instruction was
# not decoded, the fault address is the page's, and a fault trace's
# instructions are "?".
#
# usage: disasm_lib.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: disasm_lib.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

bad="$build/samples/bad_pointer-musl"
forks="$build/samples/fork_cow-musl"
require "$vmemu" "$bad" "$forks" "$build/samples/hello-musl"

if readelf -d "$vmemu" | grep -q 'NEEDED.*libcapstone'; then
    fail "not linked" "vmemu NEEDs libcapstone: ld.so loads it at every start"
else
    pass "vmemu is not linked with libcapstone"
fi

# loads FILE: did ld.so's LD_DEBUG=files output in FILE load Capstone (at
# start, or with dlopen)? dlopens FILE: was it loaded with dlopen?
loads() { grep -q 'file=libcapstone' "$1"; }
dlopens() { grep -q 'file=libcapstone[^ ]*.*dynamically loaded by' "$1"; }

LD_DEBUG=files "$vmemu" run --quiet "$build/samples/hello-musl" >"$work/out" 2>"$work/ld"
if ! grep -q 'file=libc[.]so' "$work/ld"; then
    fail "hello" "no LD_DEBUG=files output to read"
elif loads "$work/ld"; then
    fail "hello" "Capstone was loaded for a run that decodes nothing"
else
    pass "a run that decodes nothing does not load Capstone"
fi

st=0
LD_DEBUG=files "$vmemu" run --quiet "$bad" >/dev/null 2>"$work/ld" || st=$?
if [ "$st" = 139 ] && dlopens "$work/ld" &&
    grep -Eq '^vmemu: faulting instruction: 0x[0-9a-f]+: mov dword ptr \[0x10\], 1$' "$work/ld" &&
    grep -q 'segfault at 10 ' "$work/ld" && ! grep -q 'disassembler' "$work/ld"; then
    pass "a death report loads Capstone and decodes: $(grep -m1 '^vmemu: faulting instruction' "$work/ld")"
else
    fail "death report" "status $st: $(grep -m1 -E 'faulting instruction|disassembler' "$work/ld")"
fi

# The same without the library: a name that exists nowhere, and a library lacking cs_open.
for lib in libcapstone.so.999 libc.so.6; do
    case $lib in
    libcapstone.so.999) why='libcapstone.so.999: cannot open shared object file' ;;
    *) why='libc.so.6: undefined symbol: cs_open' ;;
    esac
    st=0
    VMEMU_TEST_CAPSTONE_SONAME=$lib "$vmemu" run --quiet "$bad" >"$work/out" 2>"$work/err" || st=$?
    said=$(grep -c 'disassembler is unavailable' "$work/err")
    if [ "$st" = 139 ] && [ "$said" = 1 ] && grep -q "^vmemu: the disassembler is unavailable (.*$why" "$work/err" &&
        grep -Eq '^vmemu: faulting instruction at 0x[0-9a-f]+: not decoded \(no disassembler\)$' "$work/err" &&
        grep -q 'segfault at 0 ' "$work/err" && grep -q '^about to write' "$work/out"; then
        pass "without Capstone ($lib), the program dies as before (139), the report says why, the address is the page's"
    else
        fail "no Capstone ($lib)" "status $st, said $said times: $(head -n 3 "$work/err" | tr '\n' '|')"
    fi
done

# Fault traces: every fault of two processes, with and without the library.
trace() { # trace OUT ERR [ENV...]: fork_cow's faults as JSON Lines
    local out=$1 err=$2
    shift 2
    env "$@" "$vmemu" run --quiet --trace=fault --trace-format=jsonl --trace-file="$out" "$forks" \
        >/dev/null 2>"$err"
}
trace "$work/with.jsonl" "$work/with.err"
trace "$work/without.jsonl" "$work/without.err" VMEMU_TEST_CAPSTONE_SONAME=libcapstone.so.999
faults() { grep -c '"type":"fault"' "$1"; }
decoded=$(grep '"type":"fault"' "$work/with.jsonl" | grep -vc '"insn":"?"')
pids=$(grep '"type":"fault"' "$work/without.jsonl" | grep -o '"pid":[0-9]*' | sort -u | wc -l)
not_decoded=$(grep '"type":"fault"' "$work/without.jsonl" | grep -vc '"insn":"?"')
said=$(grep -c 'disassembler is unavailable' "$work/without.err")
if [ "$decoded" -gt 0 ] && [ ! -s "$work/with.err" ] && [ "$pids" = 2 ] && [ "$not_decoded" = 0 ] &&
    [ "$said" = 1 ] && [ "$(faults "$work/with.jsonl")" = "$(faults "$work/without.jsonl")" ]; then
    pass "fault traces: $decoded of $(faults "$work/with.jsonl") faults decoded; without Capstone none, said once for $pids processes"
else
    fail "fault traces" "decoded $decoded; without: $pids processes, $not_decoded decoded, said $said times"
fi
finish
