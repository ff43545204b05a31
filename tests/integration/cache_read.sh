#!/usr/bin/env bash
# The page cache on a cold start: samples/cache_read reads a 64 MiB file
# twice with read() (4 KiB at a time), then maps it MAP_SHARED and touches
# every page, under `vmemu --cache=cold --trace=pagecache,fault`. The trace
# must show
#   - first pass: one miss (the first page), every other page a hit because
#     readahead got there first, in windows of 4, 8, 16 and then 32 pages
#     (ra_pages), never larger;
#   - second pass: all 16384 pages hit, no readahead;
#   - the mapping: 1024 minor faults (fault-around maps 16 cached pages
#     each), no major fault, on the very frames read() used.
# Native and vmemu stdout (checksums) must match.
#
# usage: cache_read.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: cache_read.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

pages=16384
head -c $((pages * 4096)) /dev/urandom >"$work/big.dat" || exit 1

# The value of field NAME= on a text trace line.
field='function f(name,   i) { for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2); return "" }'

check() {
    local bin=$1 name
    name=$(basename "$bin")
    setarch "$(uname -m)" -R "$bin" "$work/big.dat" >"$work/native.out" 2>&1
    if ! "$vmemu" run --cache=cold --trace=pagecache,fault --trace-file="$work/trace" \
        "$bin" "$work/big.dat" >"$work/vmemu.out" 2>"$work/vmemu.err"; then
        fail "$name" "vmemu failed: $(head -n 3 "$work/vmemu.err")"
        return
    fi
    if ! cmp -s "$work/native.out" "$work/vmemu.out"; then
        fail "$name" "stdout differs from the native run"
        return
    fi
    local verdict
    verdict=$(awk -v pages=$pages "$field"'
        $4 == "read" && $5 == "big.dat" {
            reads++
            if (reads <= pages) { if ($NF == "miss") miss1++ } else if ($NF != "hit") miss2++
            if (f("index") == 0 && !pfn0) pfn0 = f("pfn")
            if (reads == pages) end1 = NR
        }
        $4 == "readahead" && $5 == "big.dat" {
            if (end1) late++
            w = f("size"); if (n < 4) seq = seq (n ? " " : "") w; n++
            if (w + 0 > max) max = w + 0
        }
        $3 == "fault" && / big.dat / {
            if ($4 == "file-minor") minor++; else other++
            if (!fpfn) fpfn = f("pfn")
        }
        END {
            if (reads != 2 * pages) { print "read events: " reads ", want " 2 * pages; exit }
            if (miss1 != 1) { print "first pass: " miss1 " misses, want 1"; exit }
            if (miss2) { print "second pass: " miss2 " misses, want 0"; exit }
            if (seq != "4 8 16 32" || max != 32) { print "readahead windows " seq " ... max " max; exit }
            if (late) { print late " readahead windows in the second pass"; exit }
            if (minor != pages / 16 || other) { print minor " minor and " other " other faults, want " pages / 16 " minor"; exit }
            if (pfn0 == "" || fpfn != pfn0) { print "the mapping faulted in frame " fpfn ", read() used " pfn0; exit }
            print "ok " n " windows, " minor " minor faults, frame " pfn0
        }' "$work/trace")
    case $verdict in
    ok*) pass "$name: $verdict; $(grep 'page cache:' "$work/vmemu.err" | sed 's/^vmemu: //')" ;;
    *) fail "$name" "$verdict" ;;
    esac
}

for bin in "$build"/samples/cache_read-musl "$build"/samples/cache_read-glibc; do
    if [ -x "$bin" ]; then
        check "$bin"
    else
        fail "$(basename "$bin")" "missing: build the samples"
    fi
done
finish
