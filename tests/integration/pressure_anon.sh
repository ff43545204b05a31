#!/usr/bin/env bash
# Anonymous memory under pressure (tests/programs/pressure), with 128 MiB
# of guest RAM:
#   - with --swap 512M, 320 MiB written with a pattern and read back are
#     intact, with major faults, pswpout and pswpin counted, and every
#     frame free again afterwards (--check-leaks);
#   - without swap the same program is OOM-killed: status 137 and the
#     kernel's "Out of memory: Killed process" line on stderr, a file it
#     wrote before intact, every frame free again;
#   - MADV_PAGEOUT pages come back as major faults, intact; pages read
#     back from swap, written again and paged out again hold the new data,
#     as natively (the write sets the dirty bit of a writable clean entry);
#     pagemap shows paged-out pages as swapped, soft-dirty where they were
#     written since clear_refs 4;
#   - a hot anonymous working set stays resident (no major fault on it)
#     while a 300 MiB file streams through the page cache, even with
#     vm.swappiness 200;
#   - swap-in of a page a fork shares names one slot, counted twice;
#   - MAP_DROPPABLE memory is dropped, not swapped and not a cause for the
#     OOM killer, written or not;
#   - the same run twice gives the same reclaim and fault trace;
#   - --swap-file keeps a valid swap file that a later run reuses, and
#     refuses a file holding data; --swap refuses a size below 40K;
#   - /proc/swaps, /proc/PID/oom_score and busybox free agree with the
#     swap area.
#
# usage: pressure_anon.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: pressure_anon.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

prog="$build/tests/programs/pressure-musl"
bb=/bin/busybox
require "$vmemu" "$prog" "$bb"

# vmstat NAME FILE: the counter NAME of a --report=vmstat dump in FILE.
vmstat() {
    awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$2"
}

# The summary's major faults.
majors() {
    sed -n 's/^vmemu: faults: [0-9]* minor, \([0-9]*\) major.*/\1/p' "$1"
}

# --- swap: everything comes back ---
out=$("$vmemu" run --ram 128M --swap 512M --report=vmstat --check-leaks "$prog" anon 320 \
    2>"$work/swap.err")
rc=$?
maj=$(majors "$work/swap.err")
out_pages=$(vmstat pswpout "$work/swap.err")
in_pages=$(vmstat pswpin "$work/swap.err")
if [ $rc -eq 0 ] && [ "$out" = "anon 320 ok" ] && [ "${maj:-0}" -gt 0 ] &&
    [ "$out_pages" -gt 40000 ] && [ "$in_pages" -gt 40000 ] &&
    grep -q 'leak check: every frame came back' "$work/swap.err"; then
    pass "320 MiB with 128 MiB RAM and swap: intact, $maj major faults, $out_pages out, $in_pages in"
else
    fail swap "status $rc, '$out', $maj major faults, pswpout $out_pages, pswpin $in_pages"
    grep -v '^[a-z_]* [0-9]*$' "$work/swap.err" | head -n 5 | sed 's/^/    /'
fi

# --- no swap: the OOM killer ---
"$vmemu" run --ram 128M --check-leaks "$bb" sh -c \
    "$prog mark $work/mark && exec $prog anon 320" >"$work/oom.out" 2>"$work/oom.err"
rc=$?
line=$(grep '^Out of memory: Killed process' "$work/oom.err")
want='^Out of memory: Killed process 1000 \(pressure-musl\) total-vm:[0-9]+kB, anon-rss:[0-9]+kB, file-rss:[0-9]+kB, shmem-rss:0kB, UID:0 pgtables:[0-9]+kB oom_score_adj:0$'
if [ $rc -eq 137 ] && [[ $line =~ $want ]] && grep -q '^pressure-musl invoked oom-killer' "$work/oom.err" &&
    [ "$(cat "$work/mark")" = "written before the OOM kill" ] &&
    grep -q 'leak check: every frame came back' "$work/oom.err" &&
    grep -q '^vmemu: oom killer: 1 process killed$' "$work/oom.err"; then
    pass "no swap: OOM-killed (137), $line"
else
    fail oom "status $rc, report line '$line', mark '$(cat "$work/mark" 2>/dev/null)'"
    head -n 5 "$work/oom.err" | sed 's/^/    /'
fi

# --- MADV_PAGEOUT ---
out=$("$vmemu" run --quiet --ram 128M --swap 64M "$prog" pageout 1024 2>&1)
if [[ $out =~ ^pageout\ 1024\ KiB:\ ([0-9]+)\ major\ faults$ ]] && [ "${BASH_REMATCH[1]}" -ge 32 ]; then
    pass "MADV_PAGEOUT of 256 pages: $out"
else
    fail pageout "'$out', expected 32 or more major faults (8 pages read per fault at most)"
fi
out=$("$vmemu" run --quiet --ram 128M "$prog" pageout 1024 2>&1)
if [ "$out" = "pageout 1024 KiB: 0 major faults" ]; then
    pass "MADV_PAGEOUT without swap leaves anonymous pages: $out"
else
    fail pageout-noswap "'$out'"
fi

# MAP_DROPPABLE memory is reclaim's to drop, never swapped, written or not (Linux 6.11):
# 64 MiB of it and then 100 MiB of ordinary memory fit 128 MiB without swap, the
# ordinary memory intact, the dropped pages reading zero.
out=$("$vmemu" run --quiet --ram 128M "$prog" droppable 64 100 2>&1 | tr '\n' ' ')
if [[ $out =~ ^anon\ 100\ ok\ droppable\ 64:\ ([0-9]+)\ kept,\ ([0-9]+)\ dropped,\ 0\ other\ $ ]] &&
    [ "${BASH_REMATCH[2]}" -gt 0 ]; then
    pass "MAP_DROPPABLE under pressure without swap: $out"
else
    fail droppable "'$out', expected the anon memory intact and droppable pages dropped"
fi

native=$(setarch "$(uname -m)" -R "$prog" rewrite 1024 2>&1)
out=$("$vmemu" run --quiet --ram 128M --swap 64M "$prog" rewrite 1024 2>&1)
if [ "$out" = "rewrite 1024 KiB: intact" ] && [ "$out" = "$native" ]; then
    pass "pages swapped in by reads, written and paged out again: '$out', as natively"
else
    fail rewrite "'$out', natively '$native'"
fi

out=$("$vmemu" run --quiet --ram 128M --swap 64M "$prog" swapmap 1024 2>&1)
if [ "$out" = "swapmap 1024 KiB: 0 present, 256 swapped, 128 of them soft-dirty" ]; then
    pass "pagemap after MADV_PAGEOUT: $out"
else
    fail swapmap "'$out', expected 0 present, 256 swapped, 128 of them soft-dirty"
fi

# --- a hot working set survives a file streaming through ---
head -c 300M /dev/zero >"$work/stream" || exit 1
# vm.swappiness 200 makes anon as cheap to reclaim as file: only the
# accessed bits reclaim finds through the rmap keep the hot set (without
# them it takes some 20 major faults here).
out=$("$vmemu" run --ram 128M --swap 256M --report=vmstat "$bb" sh -c \
    "echo 200 >/proc/sys/vm/swappiness && exec $prog hot 32 $work/stream" 2>"$work/hot.err")
stolen=$(vmstat pgsteal_file "$work/hot.err")
if [[ $out =~ ^hot\ 32:\ 300\ MiB\ streamed,\ ([0-9]+)\ major ]] && [ "${BASH_REMATCH[1]}" -le 2 ] &&
    [ "$stolen" -gt 40000 ]; then
    pass "32 MiB hot set while 300 MiB streams: ${BASH_REMATCH[1]} major faults, $stolen file pages reclaimed"
else
    fail hot "'$out', pgsteal_file $stolen"
fi

# --- a page a fork shares goes to swap once, its slot named by both ---
out=$("$vmemu" run --quiet --ram 64M --swap 256M "$prog" forkswap 48 2>&1 | tr '\n' ' ')
if [[ $out =~ ^forkswap\ child:\ intact,\ Swap\ ([0-9]+)\ kB,\ SwapPss\ ([0-9]+)\ kB\ forkswap\ parent:\ intact\ $ ]] &&
    [ "${BASH_REMATCH[1]}" -gt 4096 ] && [ $((BASH_REMATCH[2] * 2)) -eq "${BASH_REMATCH[1]}" ]; then
    pass "fork-shared pages in swap: Swap ${BASH_REMATCH[1]} kB, SwapPss ${BASH_REMATCH[2]} kB, intact in both"
else
    fail forkswap "'$out'"
fi

# --- reclaim is deterministic: the same run twice, the same trace ---
for i in 1 2; do
    "$vmemu" run --quiet --ram 32M --swap 64M --trace=reclaim,fault --trace-file="$work/t$i" \
        "$prog" anon 40 >/dev/null 2>&1
done
passes=$(grep -c ' reclaim pass ' "$work/t1")
swapins=$(grep -c ' reclaim swapin ' "$work/t1")
if [ "$passes" -gt 100 ] && [ "$swapins" -gt 100 ] && cmp -s "$work/t1" "$work/t2"; then
    pass "under pressure the trace is the same twice: $passes reclaim passes, $swapins swap-ins"
else
    fail determinism "$passes passes, $swapins swap-ins, $(cmp "$work/t1" "$work/t2" 2>&1)"
fi
rm -f "$work/t1" "$work/t2"

# --- --swap-file: a real swap file, kept, reused; a data file refused ---
sw="$work/swapfile"
"$vmemu" run --quiet --ram 64M --swap 1M --swap-file "$sw" "$prog" pageout 256 >"$work/sf.out" 2>&1
sig=$(dd if="$sw" bs=1 skip=4086 count=10 2>/dev/null)
size=$(stat -c %s "$sw" 2>/dev/null)
"$vmemu" run --quiet --ram 64M --swap-file "$sw" "$bb" cat /proc/swaps >"$work/sf2.out" 2>&1
reused=$(awk 'NR == 2 { print $3 }' "$work/sf2.out")
head -c 65536 /dev/zero | tr '\0' 'x' >"$work/data"
"$vmemu" run --quiet --swap-file "$work/data" "$bb" true 2>"$work/sf3.err"
rc_data=$?
"$vmemu" run --quiet --swap 12K "$bb" true 2>/dev/null
rc_small=$?
if [ "$(cat "$work/sf.out")" = "pageout 256 KiB: 0 major faults" ] || [ "$sig" != SWAPSPACE2 ] ||
    [ "$size" != 1048576 ] || [ "$reused" != 1020 ] || [ $rc_data -ne 125 ] ||
    ! grep -q "cannot set up swap in $work/data: Invalid argument" "$work/sf3.err" ||
    [ "$(head -c 4 "$work/data")" != xxxx ] || [ $rc_small -ne 2 ]; then
    fail swap-file "out '$(cat "$work/sf.out")', signature '$sig', size $size, reused size '$reused', data file status $rc_data, --swap 12K status $rc_small"
else
    pass "--swap-file: a kept 1 MiB file with mkswap's signature, reused at its size; a data file refused, untouched"
fi

# --- the reports agree with the swap area ---
"$vmemu" run --quiet --ram 64M --swap 32M "$bb" sh -c \
    'cat /proc/swaps; free; cat /proc/self/oom_score
     echo -1000 >/proc/self/oom_score_adj && cat /proc/self/oom_score
     echo 1000 >/proc/self/oom_score_adj && cat /proc/self/oom_score' \
    >"$work/reports" 2>&1
swaps=$(sed -n 2p "$work/reports")
free=$(awk '$1 == "Swap:" { print $2, $3, $4 }' "$work/reports")
scores=$(tail -n 3 "$work/reports" | tr '\n' ' ')
# (1000 + badness * 1000 / (RAM + swap)) * 2 / 3: 666 and a little for a
# small process, 0 with oom_score_adj -1000, 1333 and the same little with 1000.
if [[ $swaps =~ ^/.*vmemu-swap\\040\(deleted\)\ +file$'\t\t'32764$'\t\t'0$'\t\t'-2$ ]] &&
    [ "$free" = "32764 0 32764" ] && [[ $scores =~ ^6[6-9][0-9]\ 0\ 13[3-6][0-9]\ $ ]]; then
    pass "/proc/swaps, free and oom_score: $free; $scores"
else
    fail reports "swaps '$swaps', free '$free', oom_score '$scores'"
fi

finish
