#!/usr/bin/env bash
# Differential test against the host kernel: samples/fault_counts measures
# four 64 MiB passes with getrusage (anonymous writes, anonymous reads of
# the zero page, reads of a cached file mapped privately, then copy-on-write
# writes to it). Run natively with ASLR off and under vmemu, each pass must
# report the same minor and major fault counts, and vmemu's must be the
# Linux defaults: 16384, 16384, 1024 (fault-around, 64 KiB) and 16384.
#
# Where the host kernel's own settings make its figure differ from Linux's
# defaults (transparent huge pages or mTHP set to always, a different
# fault_around_bytes), the test says so and compares vmemu with the
# defaults only, for the passes that setting affects.
#
# usage: fault_counts.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: fault_counts.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

expected="anon write pass: 16384 minor, 0 major
anon read pass: 16384 minor, 0 major
file private read pass: 1024 minor, 0 major
file private write pass: 16384 minor, 0 major"

# Host settings that change what Linux counts, and the passes they affect.
anon_note=""
file_note=""
thp=/sys/kernel/mm/transparent_hugepage
if grep -q '\[always\]' "$thp/enabled" 2>/dev/null; then
    anon_note="host THP is 'always': anonymous 64 MiB passes fault per 2 MiB, not per page"
fi
for f in "$thp"/hugepages-*kB/enabled; do
    [ -f "$f" ] || continue
    if grep -q '\[always\]' "$f" || { grep -q '\[inherit\]' "$f" && grep -q '\[always\]' "$thp/enabled"; }; then
        anon_note="host mTHP $(basename "$(dirname "$f")") is enabled: anonymous faults map several pages"
    fi
done
fab=/sys/kernel/debug/fault_around_bytes
if [ -r "$fab" ] && [ "$(cat "$fab")" != 65536 ]; then
    file_note="host fault_around_bytes is $(cat "$fab"), not 65536"
fi
[ -n "$anon_note" ] && echo "NOTE $anon_note"
[ -n "$file_note" ] && echo "NOTE $file_note"

for bin in "$build"/samples/fault_counts-musl "$build"/samples/fault_counts-glibc; do
    name=$(basename "$bin")
    setarch "$(uname -m)" -R "$bin" 16384 "$work" >"$work/native" 2>&1 || echo "(native run failed)" >>"$work/native"
    "$vmemu" run --quiet "$bin" 16384 "$work" >"$work/vmemu" 2>&1 || echo "(vmemu run failed)" >>"$work/vmemu"
    i=0
    while IFS= read -r want; do
        i=$((i + 1))
        pass_name=${want%%:*}
        got_v=$(sed -n "${i}p" "$work/vmemu")
        got_n=$(sed -n "${i}p" "$work/native")
        note=""
        case "$pass_name" in
        anon*) note=$anon_note ;;
        file*) note=$file_note ;;
        esac
        if [ "$got_v" != "$want" ]; then
            echo "FAIL $name $pass_name: vmemu says '$got_v', Linux's defaults give '$want'"
            failed=$((failed + 1))
        elif [ -n "$note" ]; then
            echo "PASS $name $pass_name: vmemu matches Linux's defaults; native '$got_n' not compared: $note"
            passed=$((passed + 1))
        elif [ "$got_n" != "$got_v" ]; then
            echo "FAIL $name $pass_name: native '$got_n', vmemu '$got_v'"
            failed=$((failed + 1))
        else
            echo "PASS $name $pass_name: native and vmemu both '$got_v'"
            passed=$((passed + 1))
        fi
    done <<<"$expected"
done
finish
