#!/usr/bin/env bash
# vmemu's benchmarks (not tests: they measure, they do not judge).
# The suite (tests/bench/bench.py): the same static programs natively, under
# qemu-x86_64 and under vmemu, interleaved, medians of CPU time, wall time
# and peak RSS, every output checked against the native run's:
#   faults: 128 MiB touched (anon_touch) and a 1M-fault run, both fault modes;
#   churn: malloc_heavy (musl); start-up: hello (musl, glibc), busybox true,
#           hello with --ram 16G; crunch: a CPU-bound loop;
#   programs: Lua, SQLite, zlib, zstd, GMP (tests/bench/programs, static
#           against Debian's libraries) and busybox awk, sort, grep;
#   processes: fork+exit, pipe round trips, threads' faults, a shell loop.
# A full run rewrites the generated block of docs/performance.md.
# With --extra, vmemu-only sections follow:
#   sampling: CPU time of a timeline (guest blocks counted), of access
#           sampling at --html's default interval (500 us) and at 200 us,
#           and of a whole --html run, on a CPU-bound loop, a memory sweep
#           and 100,000 faults;
#   pressure: reclaim and swap throughput: 320 MiB of anonymous memory
#           written and read back through 128 MiB of RAM and 512 MiB of
#           swap (pages swapped out and in per second, and what swapping
#           adds per page against the same run with 1 GiB of RAM), and a
#           300 MiB file read cold through 128 MiB (file pages reclaimed
#           per second);
#   vma_tree: lookups, inserts and gap searches of every VMA tree.
# usage: tests/bench/run.sh BUILD_DIR [--extra] [bench.py options: --runs N,
#        --quick, --only GROUP,...]   (or: make bench BENCH_ARGS="...")
set -u
build=${1:-build}
shift
here=$(cd "$(dirname "$0")" && pwd)
extra=0
args=()
for a in "$@"; do
    if [ "$a" = --extra ]; then extra=1; else args+=("$a"); fi
done
python3 "$here/bench.py" --build "$build" --doc "$here/../../docs/performance.md" "${args[@]}"
status=$?
[ $extra -eq 1 ] || exit $status
vmemu="$build/vmemu"
crunch="$build/samples/crunch-musl"
bin="$build/samples/anon_touch-musl"
pages=50000

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

# pressure_run ARGS...: the least CPU time (user + system, steadier than
# wall time on a shared machine) of 3 runs of vmemu ARGS, with pswpout,
# pswpin and pgsteal_file of that run.
pressure_run() {
    local best="" line t err
    err=$(mktemp)
    for _ in 1 2 3; do
        t=$( { TIMEFORMAT='%3U %3S'; time "$vmemu" run --quiet --report=vmstat "$@" >/dev/null 2>"$err"; } 2>&1 |
            awk '{printf "%.3f", $1 + $2}')
        line="$t $(awk '$1 == "pswpout" { o = $2 } $1 == "pswpin" { i = $2 }
            $1 == "pgsteal_file" { f = $2 } END { print o + 0, i + 0, f + 0 }' "$err")"
        if [ -z "$best" ] || awk "BEGIN{exit !(${line%% *} < ${best%% *})}"; then best=$line; fi
    done
    rm -f "$err"
    echo "$best"
}

pressure_prog="$build/tests/programs/pressure-musl"
if [ -x "$pressure_prog" ]; then
    echo "== pressure (CPU time, user + system)"
    read -r t_free _ < <(pressure_run --ram 1G "$pressure_prog" anon 320)
    read -r t out in _ < <(pressure_run --ram 128M --swap 512M "$pressure_prog" anon 320)
    printf 'anon 320 MiB: %s s with 1 GiB of RAM; %s s with 128 MiB and 512 MiB of swap: %s pages out (%.0f/s), %s in (%.0f/s), %.1f us added per page moved\n' \
        "$t_free" "$t" "$out" "$(awk "BEGIN{print $out/$t}")" "$in" "$(awk "BEGIN{print $in/$t}")" \
        "$(awk "BEGIN{print ($t-$t_free)*1e6/($out+$in)}")"
    pressure_tmp=$(mktemp -d)
    head -c 300M /dev/zero >"$pressure_tmp/f"
    read -r t_free _ < <(pressure_run --ram 1G --cache=cold /bin/busybox cat "$pressure_tmp/f")
    read -r t _ _ stolen < <(pressure_run --ram 128M --cache=cold /bin/busybox cat "$pressure_tmp/f")
    printf 'cat of a 300 MiB file, cold: %s s with 1 GiB of RAM; %s s with 128 MiB: %s file pages reclaimed (%.0f/s)\n' \
        "$t_free" "$t" "$stolen" "$(awk "BEGIN{print $stolen/$t}")"
    rm -rf "$pressure_tmp"
fi

if [ -x "$build/tests/bench_vma_tree" ]; then
    echo "== vma_tree"
    "$build/tests/bench_vma_tree"
fi
exit $status
