#!/usr/bin/env bash
# Writeback errors reach the program, once, and vmemu's status tells the
# ones that did not. vmemu's page cache takes a write at once and hands it
# to the host file later, so a refusal by the host comes at writeback.
# Here the host refuses: vmemu runs under a soft RLIMIT_FSIZE of 32 MiB
# while samples/wb_error raises its own limit and writes a page at 64 MiB
# (guest RAM, 16 MiB here, is a host file too: it must stay below the limit).
#
# - fsync: the first fsync returns EFBIG, the second 0 (Linux's errseq),
#   and vmemu exits 0: the program was told;
# - msync(MS_SYNC) of a shared mapping: the same;
# - neither: the program exits 0, but vmemu exits 125 after one line
#   naming the file and the error.
#
# usage: writeback.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: writeback.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-20}
sample="$build/samples/wb_error-musl"
require "$vmemu" "$sample"

# run MODE: wb_error under vmemu with the host's limit below the page it writes.
run() {
    (
        ulimit -S -f 32768 # 32 MiB, in kB
        timeout "$timeout_s" "$vmemu" run --quiet --ram 16M "$sample" "$1" "$work/data.$1" \
            >"$work/out" 2>"$work/err"
        echo $? >"$work/status"
    )
    cat "$work/status"
}

for mode in fsync msync; do
    st=$(run $mode)
    want="wrote a page at 64 MiB
$mode: EFBIG
$mode again: 0"
    if [ "$(cat "$work/out")" = "$want" ] && [ "$st" = 0 ] && [ ! -s "$work/err" ]; then
        pass "$mode: EFBIG once, then 0; vmemu exits 0"
    else
        fail "$mode" "status $st, output: $(tr '\n' '|' <"$work/out") stderr: $(head -n 2 "$work/err")"
    fi
done

st=$(run none)
if [ "$st" = 125 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -q "data.none" "$work/err" &&
    grep -q "(EFBIG)" "$work/err"; then
    pass "an error the program never saw: status 125, $(cat "$work/err")"
else
    fail "an error the program never saw" "status $st, stderr: $(head -n 3 "$work/err")"
fi

finish
