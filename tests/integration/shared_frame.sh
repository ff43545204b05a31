#!/usr/bin/env bash
# One copy of every file page: samples/shared_frame reads page 1 of a file
# through a shared writable mapping, a shared read-only mapping, pread()
# and a private mapping (before its first write). The fault trace and the
# pagecache trace must name the same frame for all four; the private
# mapping's first write must then copy the page (a cow fault to another
# frame) while the shared mapping's write dirties the page in place.
# The sample itself checks that each view sees the others' stores, and
# its output must match a native run.
#
# usage: shared_frame.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: shared_frame.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

check() {
    local bin=$1 name
    name=$(basename "$bin")
    setarch "$(uname -m)" -R "$bin" >"$work/native.out" 2>&1
    if ! "$vmemu" run --quiet --trace=fault,pagecache --trace-file="$work/trace" "$bin" \
        >"$work/vmemu.out" 2>"$work/vmemu.err"; then
        fail "$name" "vmemu failed: $(head -n 3 "$work/vmemu.err")"
        return
    fi
    if ! cmp -s "$work/native.out" "$work/vmemu.out" || grep -q ': no$' "$work/vmemu.out"; then
        fail "$name" "views disagree or differ from native: $(tr '\n' '|' <"$work/vmemu.out")"
        return
    fi
    # "VIEW KIND ACCESS PFN" for every event touching page 1 of the file.
    : >"$work/views"
    local seq pid what kind access addr rest vma prot pfn start
    while read -r seq pid what kind access addr rest; do
        if [ "$what" = fault ]; then
            vma=$(grep -o 'vma=[0-9a-f]*-[0-9a-f]* [rwxsp-]* #1' <<<"$rest") || continue
            prot=$(awk '{ print $2 }' <<<"$vma")
            start=${vma#vma=}
            start=${start%%-*}
            pfn=$(grep -o 'pfn=0x[0-9a-f]*' <<<"$rest")
            [ $((addr - 0x$start)) -ge 4096 ] && [ $((addr - 0x$start)) -lt 8192 ] &&
                echo "$prot $kind $access ${pfn#pfn=}" >>"$work/views"
        elif [ "$what" = pagecache ] && [ "$kind" = read ] && [ "$access" = '#1' ] &&
            [[ $addr == index=1 ]]; then
            pfn=$(grep -o 'pfn=0x[0-9a-f]*' <<<"$rest")
            echo "read() hit read ${pfn#pfn=}" >>"$work/views"
        fi
    done <"$work/trace"
    local shared private_read cow
    shared=$(awk '$1 == "rw-s" && $3 == "read" { print $4; exit }' "$work/views")
    local others
    others=$(awk -v p="$shared" '($1 == "r--s" || $1 == "read()" || ($1 == "rw-p" && $3 == "read")) && $4 != p' "$work/views")
    private_read=$(awk '$1 == "rw-p" && $3 == "read" { print $4; exit }' "$work/views")
    cow=$(awk '$1 == "rw-p" && $2 == "cow" { print $4; exit }' "$work/views")
    if [ -z "$shared" ] || [ -z "$private_read" ] || [ -n "$others" ] ||
        ! grep -q '^r--s ' "$work/views" || ! grep -q '^read() ' "$work/views"; then
        fail "$name" "the views do not share one frame: $(tr '\n' '|' <"$work/views")"
        return
    fi
    if [ -z "$cow" ] || [ "$cow" = "$shared" ]; then
        fail "$name" "the private write did not copy the page: $(tr '\n' '|' <"$work/views")"
        return
    fi
    # The shared mapping's write: a minor fault that keeps the page's frame.
    local shared_write
    shared_write=$(awk '$1 == "rw-s" && $3 == "write" { print $2, $4; exit }' "$work/views")
    if [ "$shared_write" != "file-minor $shared" ]; then
        fail "$name" "the shared write was '$shared_write', want a file-minor fault in frame $shared: $(tr '\n' '|' <"$work/views")"
        return
    fi
    pass "$name: shared, read-only shared, read() and private views all in frame $shared; the shared write dirtied it in place, the private write copied to $cow"
}

for bin in "$build"/samples/shared_frame-musl "$build"/samples/shared_frame-glibc; do
    if [ -x "$bin" ]; then
        check "$bin"
    else
        fail "$(basename "$bin")" "missing: build the samples"
    fi
done
finish
