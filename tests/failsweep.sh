#!/usr/bin/env bash
# The allocation-failure sweep: mm's unit tests and a set of samples under
# vmemu, run again and again with one page or slab allocation made to
# fail (--fail-alloc / VMEMU_FAIL_ALLOC, mm/fault_inject.h), then with
# seeded random failures. What must hold at every injection point:
#   - nothing crashes or aborts, and the sanitizers (in an ASan build) say
#     nothing, nor, under vmemu, Linux's bad_page check (some unit tests
#     free bad pages on purpose);
#   - a unit test may fail its assertions (it expected memory), but not
#     with an exception (cmocka's report of a signal);
#   - vmemu reaches its end with --check-leaks clean (every frame back),
#     or refuses to start in one line when the failure hit its set-up;
#   - a guest the failure did not reach (no system call returned ENOMEM,
#     as the syscall trace shows, and the status is the native one) printed
#     what it prints natively: nothing was corrupted. A guest that was told
#     ENOMEM or was killed for lack of memory may end otherwise, as on Linux.
# At the end it prints the number of distinct allocation sites (file:line
# of the caller) it made fail.
#
# usage: failsweep.sh BUILD_DIR SOURCE_DIR [SAMPLE_POINTS [UNIT_POINTS [RANDOM_RUNS]]]
#   SAMPLE_POINTS: injection points per sample, spread evenly over all its
#                  allocations (0: every one of them; default 12)
#   UNIT_POINTS:   the same per unit test binary (default 8)
#   RANDOM_RUNS:   runs per program with random=2,seed=S (default 2)
# `make failsweep` runs the long sweep: every allocation of every sample.
set -u
usage="usage: failsweep.sh BUILD_DIR SOURCE_DIR [SAMPLE_POINTS [UNIT_POINTS [RANDOM_RUNS]]]"
build=${1:?$usage}
src=${2:?$usage}
sample_points=${3:-12}
unit_points=${4:-8}
random_runs=${5:-2}
vmemu="$build/vmemu"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmemu-failsweep.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
ulimit -c 0
unset VMEMU_OPTIONS # the user's default options must not change what is swept
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
runs=0
problems=0
: >"$work/sites"

problem() {
    problems=$((problems + 1))
    echo "FAIL $1: $2"
    sed -n '1,8p' "$work/err" | sed 's/^/    /'
}

# The attempts and sites of the report the injector prints at exit.
attempts_of() { sed -n 's/.*fail-alloc: \([0-9]*\) attempts.*/\1/p' "$1" | tail -n 1; }
record_sites() { sed -n 's/.*fail-alloc: .* sites:\(.*\)/\1/p' "$1" | tr ' ' '\n' | sed '/^$/d' >>"$work/sites"; }

# The specs to run: POINTS nth points spread over 1..N (all when 0), then random ones.
specs_for() {
    local n=$1 points=$2 i step
    if [ "$points" -eq 0 ] || [ "$n" -le "$points" ]; then
        seq 1 "$n" | sed 's/^/nth=/'
    else
        step=$((n / points))
        for ((i = 1; i <= points; i++)); do echo "nth=$((1 + (i - 1) * step + (i * 7919) % step))"; done
    fi
    for ((i = 1; i <= random_runs; i++)); do echo "random=2,seed=$i"; done
}

sanitizer_report() {
    grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$work/err"
}

# One unit test binary, sweeping over its own allocations.
sweep_unit() {
    local bin=$1 name n spec st
    name=$(basename "$bin")
    VMEMU_FAIL_ALLOC=nth=0 "$bin" >/dev/null 2>"$work/err"
    n=$(attempts_of "$work/err")
    [ -n "$n" ] && [ "$n" -gt 0 ] || return 0
    while read -r spec; do
        runs=$((runs + 1))
        VMEMU_FAIL_ALLOC=$spec "$bin" >"$work/out" 2>"$work/err"
        st=$?
        cat "$work/out" >>"$work/err"
        record_sites "$work/err"
        if [ "$st" -ge 128 ] || grep -q 'Test failed with exception' "$work/err" || sanitizer_report; then
            problem "$name $spec" "status $st"
        fi
    done < <(specs_for "$n" "$unit_points")
    echo "swept $name ($n allocations)"
}

# One sample under vmemu: native output and status first, then the sweep.
sweep_sample() {
    local bin=$1 name n spec st nst
    shift
    name=$(basename "$bin")
    (cd "$work/run" && setarch "$(uname -m)" -R "$bin" "$@" >"$work/native" 2>/dev/null)
    nst=$?
    "$vmemu" run --quiet --fail-alloc=nth=0 "$bin" "$@" >/dev/null 2>"$work/err"
    n=$(attempts_of "$work/err")
    [ -n "$n" ] || {
        problem "$name" "no injector report"
        return
    }
    while read -r spec; do
        runs=$((runs + 1))
        rm -rf "$work/run" && mkdir "$work/run"
        (cd "$work/run" && "$vmemu" run --quiet --check-leaks --fail-alloc="$spec" \
            --trace=syscall --trace-file="$work/syscalls" "$bin" "$@" \
            >"$work/out" 2>"$work/err" </dev/null)
        st=$?
        record_sites "$work/err"
        if sanitizer_report || grep -q 'BUG: ' "$work/err"; then
            problem "$name $spec" "a sanitizer or bad_page report (status $st)"
        elif ! grep -q 'leak check: every frame came back' "$work/err" &&
            ! { [ "$st" -eq 125 ] && grep -qE '^vmemu: (cannot set up|out of )' "$work/err"; }; then
            problem "$name $spec" "vmemu did not end cleanly (status $st)"
        elif [ "$st" -eq "$nst" ] && ! cmp -s "$work/native" "$work/out" &&
            ! grep -qE '\) = -1 ENOMEM ' "$work/syscalls"; then
            problem "$name $spec" "same status as natively ($st) but other output"
        fi
    done < <(specs_for "$n" "$sample_points")
    echo "swept $name ($n allocations)"
}

mkdir -p "$work/run"
for bin in "$build"/tests/test_*; do
    case "$(basename "$bin")" in
    test_alloc_fail | test_fork | test_fault_inject)
        # They arm the injector themselves (and two sweep every allocation of a
        # scenario and of dup_mm, with validate_mm and leak checks):
        # run once, their sites counted.
        runs=$((runs + 1))
        if ! "$bin" >"$work/out" 2>"$work/err"; then
            cat "$work/out" >>"$work/err"
            problem "$(basename "$bin")" "its own sweep failed"
        fi
        record_sites "$work/err"
        ;;
    test_vma_tree) # seconds a run (half a minute under ASan): a few points, in the long sweep only
        [ "$sample_points" -eq 0 ] && unit_points=4 sweep_unit "$bin" ;;
    *) sweep_unit "$bin" ;;
    esac
done
sweep_sample "$build/samples/hello-musl"
sweep_sample "$build/samples/malloc_heavy-musl" $(sed -n '/^$/q;s/^# args: *//p' "$src/tests/expected/malloc_heavy-musl.expected")
sweep_sample "$build/samples/shmem_touch-musl"
sweep_sample "$build/samples/file_writes-musl"
sweep_sample "$build/samples/shared_frame-musl"
sweep_sample "$build/samples/code_reuse-musl"
sweep_sample "$build/samples/stack_grow-glibc"
sweep_sample "$build/samples/maps_script-musl" "$work/run"

sites=$(sort -u "$work/sites" | wc -l)
echo "failure sweep: $runs runs, $sites distinct allocation sites made to fail, $problems problems"
[ "$problems" -eq 0 ]
