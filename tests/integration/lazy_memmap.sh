#!/usr/bin/env bash
# Deferred struct page init (mm/deferred_init.c) changes nothing a guest or
# a user can see. Each program runs twice, with struct pages set up a
# section at a time (the default) and all at boot (VMEMU_TEST_EAGER_MEMMAP=1;
# the lazy runs set it to 0, so that the guest's environment is the same),
# and everything must match byte for byte: its output, a trace of every
# fault with the frame it got (so every frame the buddy allocator handed
# out, in order), reclaim's trace, /proc/buddyinfo, meminfo, zoneinfo and
# vmstat read by the guest while it runs and reported at exit, and
# --check-leaks' verdict. The programs:
#   - hello, with --ram 16G (three zones, most sections never touched);
#   - anon_touch writing 25,000 pages and freeing them, in 1101 MiB (an
#     odd size: smaller boot blocks at both ends of DMA32), between two
#     reads of /proc by a shell;
#   - fork_exit, a parent with 16 MiB forking 8 times;
#   - pressure writing 150 MiB through 128 MiB of RAM with swap (reclaim,
#     swap-out and swap-in), and without swap (the OOM killer);
#   - /proc/kpageflags and /proc/kpagecount read whole in 1101 MiB (every
#     frame's flags, deferred ones as boot would have left them).
# And deferral is real: a 16 GiB guest costs the host no more than a
# 256 MiB one (peak RSS within 24 MiB), where eager set-up writes 256 MiB.
#
# usage: lazy_memmap.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: lazy_memmap.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

bb=/bin/busybox
hello="$build/samples/hello-musl"
touch_prog="$build/samples/anon_touch-musl"
fork_prog="$build/samples/fork_exit-musl"
pressure="$build/tests/programs/pressure-musl"
require "$vmemu" "$bb" "$hello" "$touch_prog" "$fork_prog" "$pressure"
cd "$work" || exit 1

proc_files='/proc/buddyinfo /proc/meminfo /proc/zoneinfo /proc/vmstat'

# run_both NAME VMEMU_OPTIONS... -- PROGRAM ARGS...: run it lazily and
# eagerly; the outputs, traces and exit reports must be the same.
run_both() {
    local name=$1 mode
    shift
    for mode in lazy eager; do
        local eager=0
        [ $mode = eager ] && eager=1
        VMEMU_TEST_EAGER_MEMMAP=$eager "$vmemu" run --quiet --check-leaks --trace=fault,reclaim \
            --trace-file="$work/$name.$mode.trace" \
            --report=meminfo,buddyinfo,zoneinfo,vmstat "$@" \
            >"$work/$name.$mode.out" 2>"$work/$name.$mode.err" </dev/null
        echo "status $?" >>"$work/$name.$mode.out"
    done
    local what differs=
    for what in out err trace; do
        cmp -s "$work/$name.lazy.$what" "$work/$name.eager.$what" || differs="$differs $what"
    done
    if [ -n "$differs" ]; then
        fail "$name" "lazy and eager runs differ in:$differs"
        for what in $differs; do
            diff "$work/$name.eager.$what" "$work/$name.lazy.$what" | head -n 6 | sed 's/^/    /'
        done
    elif ! grep -q 'leak check: every frame came back' "$work/$name.lazy.err"; then
        fail "$name" "no clean leak check: $(head -n 3 "$work/$name.lazy.err")"
    else
        pass "$name: same output, $(grep -c ' fault ' "$work/$name.lazy.trace") faults and frames, /proc files and leak check"
    fi
}

run_both hello-16G --ram 16G "$hello"
run_both anon_touch-1101M --ram 1101M "$bb" sh -c \
    "cat $proc_files; $touch_prog 25000; cat $proc_files"
run_both fork_exit --ram 256M "$fork_prog" 16 8
run_both pressure-swap --ram 128M --swap 256M "$bb" sh -c \
    "$pressure anon 150; cat $proc_files"
run_both pressure-oom --ram 128M "$pressure" anon 150
# /proc/kpageflags and kpagecount over all of RAM, most of it still deferred.
run_both kpageflags-1101M --ram 1101M "$bb" sh -c \
    "$touch_prog 2000; md5sum /proc/kpageflags /proc/kpagecount"

# The runs above must have done what they are named for.
if grep -q 'Normal' "$work/hello-16G.lazy.err" && grep -q 'pswpout' "$work/pressure-swap.lazy.out" &&
    [ "$(awk '$1 == "pswpout" { print $2 }' "$work/pressure-swap.lazy.out" | tail -n 1)" -gt 0 ] &&
    grep -q 'Out of memory' "$work/pressure-oom.lazy.err" &&
    [ "$(grep -c ' /proc/kpage' "$work/kpageflags-1101M.lazy.out")" = 2 ]; then
    pass "the runs reached the Normal zone, swap, the OOM killer and kpageflags"
else
    fail "coverage" "no Normal zone, no swap-out, no OOM kill or no kpageflags read in the runs"
fi

# peak_rss_kib ENV... -- VMEMU_ARGS...: vmemu's peak RSS in KiB (getrusage of the child).
peak_rss_kib() {
    python3 - "$@" <<'EOF'
import os, resource, subprocess, sys
args = sys.argv[1:]
cut = args.index("--")
env = dict(os.environ, **dict(a.split("=", 1) for a in args[:cut]))
subprocess.run(args[cut + 1:], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}

small=$(peak_rss_kib -- "$vmemu" run --quiet --ram 256M "$hello")
big=$(peak_rss_kib -- "$vmemu" run --quiet --ram 16G "$hello")
eager=$(peak_rss_kib VMEMU_TEST_EAGER_MEMMAP=1 -- "$vmemu" run --quiet --ram 16G "$hello")
if [ "$big" -le $((small + 24 * 1024)) ] && [ "$eager" -ge $((small + 200 * 1024)) ]; then
    pass "peak RSS: 256M $small KiB, 16G $big KiB (eager set-up: $eager KiB)"
else
    fail "peak RSS" "256M $small KiB, 16G $big KiB, 16G eager $eager KiB"
fi

finish
