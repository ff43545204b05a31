#!/usr/bin/env bash
# One page-cache frame for a library page, however many mappings and
# processes map it. samples/shared_lib drops the first page of the C
# library's text from its page tables and reads it again, maps the same
# file page a second time, forks, and the child does the same: the fault
# trace must show one frame for all three faults (parent, second mapping,
# child), and the sample's own smaps verdicts (the page counted as shared,
# in both processes) must match a native run. Then Cached in
# /proc/meminfo: a program run again and again under a shell finds its
# libraries cached and adds nothing.
#
# usage: shared_lib.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: shared_lib.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

# "PID KIND ACCESS ADDR START END PERMS NAME PFN" for every fault in the trace file.
faults() {
    sed -nE 's/^#[0-9]+ \[([0-9]+)\] fault (\S+) +(\S+) 0x([0-9a-f]+) .* vma=([0-9a-f]+)-([0-9a-f]+) (\S+) (\S+) pfn=(0x[0-9a-f]+).*/\1 \2 \3 \4 \5 \6 \7 \8 \9/p' "$1"
}

check() {
    local bin=$1 name
    name=$(basename "$bin")
    setarch "$(uname -m)" -R "$bin" >"$work/n.out" 2>&1
    if ! "$vmemu" run --quiet --trace=fault --trace-file="$work/trace" "$bin" >"$work/v.out" 2>"$work/v.err"; then
        fail "$name" "vmemu failed: $(head -n 3 "$work/v.err")"
        return
    fi
    if ! cmp -s "$work/n.out" "$work/v.out" || grep -q ': no$' "$work/v.out"; then
        fail "$name" "verdicts differ from native or say no (< native, > vmemu)"
        diff "$work/n.out" "$work/v.out" | head -n 8 | sed 's/^/    /'
        return
    fi
    local lib
    lib=$(sed -n 's/^text page of //p' "$work/v.out")
    # The first fault on the first page of a mapping of the library after
    # the sample dropped it: its text in each process (a static program's
    # own text, where the program itself runs, faults on the way back from
    # madvise), and the one-page second mapping.
    local pid kind access addr start end perms vname pfn parent='' child='' second=''
    while read -r pid kind access addr start end perms vname pfn; do
        [ "$vname" = "$lib" ] && [ $((0x$addr >> 12)) = $((0x$start >> 12)) ] || continue
        if [ "$perms" = r-xp ] && [ "$pid" = 1000 ]; then
            parent=$pfn
        elif [ "$perms" = r-xp ] && [ "$pid" = 1001 ] && [ -z "$child" ]; then
            child=$pfn
        elif [ "$perms" = r--p ] && [ $((0x$end - 0x$start)) = 4096 ]; then
            second=$pfn
        fi
    done < <(faults "$work/trace" | awk '$3 != "write"')
    if [ -n "$parent" ] && [ "$parent" = "$child" ] && [ "$parent" = "$second" ]; then
        pass "$name: $lib's first text page is frame $parent in the parent, the child and a second mapping"
    else
        fail "$name" "frames: parent '$parent', child '$child', second mapping '$second'"
    fi
}

shopt -s nullglob
bins=("$build"/samples/shared_lib-*)
require "$vmemu" "${bins[@]}"
[ ${#bins[@]} -ge 4 ] || fail "shared_lib samples" "only ${#bins[@]} builds of samples/shared_lib"
for bin in "${bins[@]}"; do
    check "$bin"
done

# Cached stays put once a program's libraries are in the page cache.
cached=$("$vmemu" run --quiet /bin/bash -c 'for i in 1 2 3 4; do /bin/grep ^Cached: /proc/meminfo; done' 2>&1 |
    awk '{ print $2 }' | tr '\n' ' ')
read -r c1 c2 c3 c4 <<<"$cached"
if [ -n "${c4:-}" ] && [ "$c2" = "$c3" ] && [ "$c3" = "$c4" ] && [ "$c1" -le "$c2" ]; then
    pass "Cached stays at ${c4} kB as grep runs again with the same libraries ($cached)"
else
    fail "Cached" "grep run four times saw Cached: $cached"
fi

finish
