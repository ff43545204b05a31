#!/usr/bin/env bash
# Traces and /proc/self/maps name VMAs with one function (mm's vma_name):
# for every VMA of the final memory map (--maps prints vmemu's own
# /proc/self/maps at exit), the last trace event naming the same range
# must give it the same name, a file by its base name. The samples between
# them have every kind: the program's file mappings, a data file mapped
# privately and shared, anonymous memory, bss, [heap], [stack], [vvar],
# [vvar_vclock], [vdso] and shared anonymous memory (/dev/zero (deleted)),
# and the test fails if a kind is missing, so that it cannot pass by
# comparing nothing.
#
# usage: vma_labels.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: vma_labels.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

: >"$work/kinds"

# "START-END NAME" for every VMA of the map vmemu printed at exit, the
# addresses without the leading zeros /proc pads them with (traces have none).
maps_names() {
    grep -E '^[0-9a-f]+-[0-9a-f]+ [-r][-w][-x][ps] ' "$1" |
        awk '{ name = ""; for (i = 6; i <= NF; i++) name = name (i > 6 ? " " : "") $i
               split($1, r, "-"); sub(/^0+/, "", r[1]); sub(/^0+/, "", r[2])
               print r[1] "-" r[2] " " name }'
}

# The last name the trace gave START-END: from "vma=S-E PERM NAME pfn=..."
# in fault lines and "op S-E PERM NAME" in the changes of mm lines.
trace_name() {
    local range=$1 trace=$2
    {
        grep -o "vma=$range [-r][-w][-x][ps][^=]*" "$trace" |
            sed -E "s/^vma=$range [-rwxsp]{4} ?//; s/ (pfn|around|readahead)$//"
        grep -o "[|;] [a-z]* $range [-r][-w][-x][ps][^;]*" "$trace" |
            sed -E "s/^[|;] [a-z]* $range [-rwxsp]{4} ?//; s/ \(\+[0-9]+ more changes\)$//"
    } | tail -n 1
}

kind_of() {
    case "$1" in
    "") echo anonymous ;;
    "[heap]" | "[stack]" | "[vdso]" | "[vvar]" | "[vvar_vclock]") echo "$1" ;;
    "/dev/zero (deleted)") echo shmem ;;
    /*) echo file ;;
    *) echo "other:$1" ;;
    esac
}

check() {
    local name=$1
    shift
    if ! "$vmemu" run --quiet --maps --trace=mm,fault --trace-file="$work/$name.trace" "$@" \
        >"$work/$name.out" 2>"$work/$name.err"; then
        fail "$name" "vmemu failed: $(head -n 3 "$work/$name.err")"
        return
    fi
    local range label want got n=0 bad=0
    while read -r range label; do
        got=$(trace_name "$range" "$work/$name.trace")
        want=$label
        [[ $label == /* && $label != "/dev/zero (deleted)" ]] && want=$(basename "$label")
        if [ -z "$(grep -lE "(vma=| )$range " "$work/$name.trace")" ]; then
            continue # no event names this exact range (it was shaped by several)
        fi
        n=$((n + 1))
        kind_of "$label" >>"$work/kinds"
        if [ "$got" != "$want" ]; then
            fail "$name $range" "/proc/self/maps says '$label', the trace says '$got'"
            bad=$((bad + 1))
        fi
    done < <(maps_names "$work/$name.err")
    [ "$bad" -eq 0 ] && pass "$name: $n VMAs named alike in the trace and /proc/self/maps"
}

mkdir -p "$work/data"
check maps_script "$build/samples/maps_script-musl" "$work/data"
check shmem_touch "$build/samples/shmem_touch-musl"
check malloc_heavy "$build/samples/malloc_heavy-musl" $(expected_args malloc_heavy-musl)

for kind in file anonymous "[heap]" "[stack]" "[vdso]" "[vvar]" "[vvar_vclock]" shmem; do
    if grep -qxF "$kind" "$work/kinds"; then
        pass "kind $kind compared"
    else
        fail "kind $kind" "no VMA of this kind was compared"
    fi
done
finish
