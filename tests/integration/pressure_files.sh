#!/usr/bin/env bash
# Files bigger than guest RAM (128 MiB): the page cache gives pages back.
#   - busybox md5sum of a 300 MiB file, cold and warm cache: the host's sum;
#   - 300 MiB written with write() and through a MAP_SHARED mapping
#     (tests/programs/pressure): byte-identical to the native run's file;
#   - a file a little bigger than the cache read twice misses again on the
#     second pass (pgpgin), and the refaults are counted
#     (workingset_refault_file); one half the size hits;
#   - every frame is free again afterwards (--check-leaks).
#
# usage: pressure_files.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: pressure_files.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

prog="$build/tests/programs/pressure-musl"
bb=/bin/busybox
require "$vmemu" "$prog" "$bb"

head -c 300M /dev/urandom >"$work/big" || exit 1
want=$(md5sum <"$work/big" | cut -d' ' -f1)

for cache in cold warm; do
    got=$("$vmemu" run --quiet --ram 128M --cache=$cache --check-leaks "$bb" md5sum "$work/big" \
        2>"$work/md5.err")
    rc=$?
    if [ $rc -eq 0 ] && [ "${got%% *}" = "$want" ] &&
        grep -q 'leak check: every frame came back' "$work/md5.err"; then
        pass "md5sum of 300 MiB with 128 MiB RAM, --cache=$cache: $want"
    else
        fail "md5sum-$cache" "status $rc, '$got', expected $want"
        head -n 3 "$work/md5.err" | sed 's/^/    /'
    fi
done

for mode in write mmapwrite; do
    "$prog" $mode "$work/native" 300 >/dev/null || exit 1
    out=$("$vmemu" run --quiet --ram 128M --check-leaks "$prog" $mode "$work/vmemu" 300 \
        2>"$work/w.err")
    rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "$mode 300 ok" ] && cmp -s "$work/native" "$work/vmemu" &&
        grep -q 'leak check: every frame came back' "$work/w.err"; then
        pass "300 MiB by $mode with 128 MiB RAM: the native run's bytes"
    else
        fail "$mode" "status $rc, '$out', $(cmp "$work/native" "$work/vmemu" 2>&1)"
        head -n 3 "$work/w.err" | sed 's/^/    /'
    fi
    rm -f "$work/native" "$work/vmemu"
done

# A file a little bigger than what the cache can hold, and one half as big.
head -c 140M "$work/big" >"$work/f140"
head -c 70M "$work/big" >"$work/f70"
rm -f "$work/big"
out=$("$vmemu" run --quiet --ram 128M --cache=cold --report=vmstat "$prog" reread "$work/f140" \
    2>"$work/reread.err")
refaults=$(awk '$1 == "workingset_refault_file" { print $2 }' "$work/reread.err")
if [[ $out =~ ^reread:\ 143360\ KiB\ read,\ then\ ([0-9]+)\ KiB$ ]] &&
    [ "${BASH_REMATCH[1]}" -ge 102400 ] && [ "${refaults:-0}" -ge 25600 ]; then
    pass "140 MiB read twice: the second pass read ${BASH_REMATCH[1]} KiB again, $refaults refaults"
else
    fail reread-140 "'$out', workingset_refault_file ${refaults:-none}"
fi
out=$("$vmemu" run --quiet --ram 128M --cache=cold "$prog" reread "$work/f70" 2>&1)
if [ "$out" = "reread: 71680 KiB read, then 0 KiB" ]; then
    pass "70 MiB read twice: the second pass hits ($out)"
else
    fail reread-70 "'$out'"
fi

finish
