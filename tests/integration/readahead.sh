#!/usr/bin/env bash
# readahead(2) fills the page cache: samples/readahead reads a 1 MB file
# after readahead of all of it, under `vmemu --cache=cold
# --trace=pagecache`, and every one of its 245 page reads must hit (without
# the call the first one misses and readahead windows follow). Native and
# vmemu stdout (each call's answer and a checksum) must match.
#
# usage: readahead.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: readahead.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
cd "$work" || exit 1

head -c 1000000 /dev/urandom >"$work/f.dat" || exit 1
pages=245 # 1,000,000 bytes in 4 KiB pages, rounded up

for bin in "$build"/samples/readahead-musl "$build"/samples/readahead-glibc; do
    name=$(basename "$bin")
    require "$bin"
    setarch "$(uname -m)" -R "$bin" f.dat >"$work/native.out" 2>&1
    if ! "$vmemu" run --cache=cold --trace=pagecache --trace-file="$work/trace" "$bin" f.dat \
        >"$work/vmemu.out" 2>"$work/vmemu.err"; then
        fail "$name" "vmemu failed: $(head -n 3 "$work/vmemu.err")"
        continue
    fi
    if ! cmp -s "$work/native.out" "$work/vmemu.out"; then
        fail "$name" "stdout differs from the native run: $(diff "$work/native.out" "$work/vmemu.out" | head -n 4)"
        continue
    fi
    verdict=$(awk -v pages=$pages '
        $4 == "read" && $5 == "f.dat" { reads++; if ($NF != "hit") miss++ }
        $4 == "readahead" && $5 == "f.dat" { windows++ }
        END {
            if (reads != pages) print "read events: " reads + 0 ", want " pages
            else if (miss || windows) print miss + 0 " misses and " windows + 0 " readahead windows, want none"
        }' "$work/trace")
    if [ -z "$verdict" ]; then
        pass "$name: after readahead(2) all $pages page reads hit the cold cache"
    else
        fail "$name" "$verdict"
    fi
done
finish
