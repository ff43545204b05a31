#!/usr/bin/env bash
# vmemu's benchmarks (not tests: they measure, they do not judge).
#   faults: 100,000 anonymous faults (anon_touch: 50,000 pages written, then
#           50,000 read), vmemu in both fault modes against the same static
#           binary natively (ASLR off) and under qemu-x86_64 when installed;
#   crunch: the same comparison for a CPU-bound loop with no faults;
#   processes: fork+exit of a 64 MiB process, a 100-command shell loop,
#           pipe round trips between two processes, faults from 4 threads;
#   sampling: CPU time of a timeline (guest blocks counted), of access
#           sampling at --html's default interval (500 us) and at 200 us,
#           and of a whole --html run, on a CPU-bound loop, a memory sweep
#           and 100,000 faults;
#   vma_tree: lookups, inserts and gap searches of every VMA tree.
# usage: tests/bench/run.sh BUILD_DIR   (or: make bench)
set -u
build=${1:-build}
vmemu="$build/vmemu"
bin="$build/samples/anon_touch-musl"
pages=50000
runs=5
arch=$(uname -m)

# best_of N CMD...: the fastest wall time of N runs, in seconds.
best_of() {
    local n=$1 best="" t t0 t1
    shift
    for _ in $(seq "$n"); do
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        t=$(awk "BEGIN{printf \"%.4f\", $t1 - $t0}")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    done
    echo "$best"
}

# vmemu's own count of faults and the wall time it measured around the run.
vmemu_run() {
    "$vmemu" run --ram 1G --fault-mode="$1" "$bin" "$pages" 2>&1 >/dev/null |
        awk '/faults:/ {f=$3} /wall time/ {w=$NF; sub(/ s$/, "", w); print f, $(NF-1)}'
}

echo "== faults: $bin $pages (write pass + read pass)"
native=$(best_of $runs setarch "$arch" -R "$bin" "$pages")
echo "native:            ${native} s"
if command -v qemu-x86_64 >/dev/null; then
    qemu=$(best_of $runs qemu-x86_64 "$bin" "$pages")
    echo "qemu-x86_64:       ${qemu} s"
else
    qemu=""
    echo "qemu-x86_64:       not installed (apt-get install qemu-user)"
fi
for mode in inline precise; do
    best_wall=""
    for _ in $(seq $runs); do
        read -r faults wall < <(vmemu_run $mode)
        if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; fi
    done
    whole=$(best_of $runs "$vmemu" run --quiet --ram 1G --fault-mode=$mode "$bin" "$pages")
    printf 'vmemu %-8s      %s s for %s faults: %.0f faults/s, %.2f us/fault; whole process %s s = %.2fx native' \
        "$mode:" "$best_wall" "$faults" "$(awk "BEGIN{print $faults/$best_wall}")" \
        "$(awk "BEGIN{print $best_wall*1e6/$faults}")" "$whole" "$(awk "BEGIN{print $whole/$native}")"
    [ -n "$qemu" ] && printf ', %.2fx qemu' "$(awk "BEGIN{print $whole/$qemu}")"
    echo
done

crunch="$build/samples/crunch-musl"
if [ -x "$crunch" ]; then
    echo "== crunch: $crunch 1024 (CPU-bound, no faults to speak of)"
    n=$(best_of 3 setarch "$arch" -R "$crunch" 1024)
    v=$(best_of 3 "$vmemu" run --quiet "$crunch" 1024)
    printf 'native %s s, vmemu %s s = %.2fx native' "$n" "$v" "$(awk "BEGIN{print $v/$n}")"
    if command -v qemu-x86_64 >/dev/null; then
        q=$(best_of 3 qemu-x86_64 "$crunch" 1024)
        printf ', qemu %s s: vmemu = %.2fx qemu' "$q" "$(awk "BEGIN{print $v/$q}")"
    fi
    echo
fi

# compare LABEL CMD...: the command natively, under qemu-x86_64 and under vmemu.
compare() {
    local label=$1
    shift
    local n q v
    n=$(best_of 3 "$@")
    v=$(best_of 3 "$vmemu" run --quiet "$@")
    printf '%s: native %s s, vmemu %s s = %.2fx native' "$label" "$n" "$v" "$(awk "BEGIN{print $v/$n}")"
    if command -v qemu-x86_64 >/dev/null; then
        q=$(best_of 3 qemu-x86_64 "$@")
        printf ', qemu %s s: vmemu = %.2fx qemu' "$q" "$(awk "BEGIN{print $v/$q}")"
    fi
    echo
}

fork_exit="$build/samples/fork_exit-musl"
if [ -x "$fork_exit" ]; then
    echo "== processes"
    compare "fork+exit of a 64 MiB process, 100 times" "$fork_exit" 64 100
    compare "100,000 pipe round trips between two processes" "$build/samples/pingpong-musl" 100000
    compare "4 threads writing 32 MiB each (32,768 faults)" "$build/samples/thread_faults-musl" 4 32
    applets=$(mktemp -d)
    for a in cat sh; do ln -s /bin/busybox "$applets/$a"; done
    # The applets' PATH is the shell's own, so the harness keeps the host's tools.
    compare "a shell loop of 100 commands" /bin/busybox sh -c \
        "PATH=$applets; i=0; while [ \$i -lt 100 ]; do cat </dev/null; i=\$((i + 1)); done"
    rm -rf "$applets"
fi

# cpu_of N CMD...: the least CPU time (user + system) of N runs, in seconds:
# steadier than wall time on a shared machine.
cpu_of() {
    local n=$1 best="" t
    shift
    for _ in $(seq "$n"); do
        t=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%.3f", $1 + $2}')
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    done
    echo "$best"
}

# sampling LABEL PROGRAM ARGS...: CPU time of a plain run; with the virtual
# clock counting guest blocks but no sample ever due (--access-sample=1000s);
# with access samples and memory counters every 500 us (--html's default)
# and every 200 us, traced to /dev/null; and of a whole --html run. The
# sampling overhead is against the second: all count blocks.
sampling() {
    local label=$1 plain timeline s500 s200 html
    shift
    plain=$(cpu_of 5 "$vmemu" run --quiet "$@")
    timeline=$(cpu_of 5 "$vmemu" run --quiet --access-sample=1000s "$@")
    s500=$(cpu_of 5 "$vmemu" run --quiet --access-sample=500us --trace=access,memory \
        --trace-format=jsonl --trace-file=/dev/null "$@")
    s200=$(cpu_of 5 "$vmemu" run --quiet --access-sample=200us --trace=access,memory \
        --trace-format=jsonl --trace-file=/dev/null "$@")
    html=$(cpu_of 3 "$vmemu" run --quiet --html="$sampling_tmp/r.html" "$@")
    printf '%s: plain %s s, blocks counted %s s (+%.0f%%), sampled every 500us %s s (%+.1f%%), every 200us %s s (%+.1f%%), --html %s s (%.2fx plain, report %s bytes)\n' \
        "$label" "$plain" "$timeline" "$(awk "BEGIN{print ($timeline/$plain-1)*100}")" \
        "$s500" "$(awk "BEGIN{print ($s500/$timeline-1)*100}")" "$s200" \
        "$(awk "BEGIN{print ($s200/$timeline-1)*100}")" "$html" "$(awk "BEGIN{print $html/$plain}")" \
        "$(wc -c <"$sampling_tmp/r.html")"
}

if [ -x "$build/samples/phases-musl" ]; then
    echo "== sampling"
    sampling_tmp=$(mktemp -d)
    sampling "crunch 1024 (CPU-bound)" "$crunch" 1024
    sampling "phases 400000 (one 256 KiB area swept)" "$build/samples/phases-musl" 400000
    sampling "anon_touch 50000 (100,000 faults)" "$bin" "$pages"
    rm -rf "$sampling_tmp"
fi

if [ -x "$build/tests/bench_vma_tree" ]; then
    echo "== vma_tree"
    "$build/tests/bench_vma_tree"
fi
