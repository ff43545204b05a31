#!/usr/bin/env bash
# The random-syscall guest (syscall_guest.c) under vmemu's ASan+UBSan
# build, one run per seed, COUNT calls each, in a scratch directory (the
# guest creates and removes files there), with stdin, stdout and stderr
# files in it too: a random fchmod or ftruncate of descriptor 0 must not
# reach /dev/null or a terminal.
#   - in the suite (VMEMU_FUZZ_SECONDS unset or 0): seeds 1..8;
#   - `make fuzz` (VMEMU_FUZZ_SECONDS=N): consecutive seeds from a random
#     start for N seconds.
# Each failing seed is listed, and its stderr and status kept in
# BUILD_DIR/fuzz-findings/.
# Run as root (CI), the guest runs as nobody (setpriv): what a random path
# might still reach on the host is then what nobody may change.
#
# A run passes when the guest made all its calls and exited 0, in time,
# with no sanitizer report and no vmemu error line. A failing seed is
# reproduced with `vmemu run --trace=syscall ... syscall_guest SEED COUNT`;
# once fixed, its call sequence, reduced, is kept as a regression case in
# samples/fuzz_findings.c (compared with a native run), not as a seed: a
# seed replays the same calls only as long as the guest is unchanged.
#
# usage: syscalls.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: syscalls.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

guest="$build/tests/syscall_guest"
count=${VMEMU_FUZZ_CALLS:-20000}
seconds=${VMEMU_FUZZ_SECONDS:-0}
timeout_s=${VMEMU_TEST_TIMEOUT:-120}
if [ ! -x "$guest" ] || [ ! -x "$vmemu" ]; then
    fail "syscall fuzzing" "$guest or $vmemu is missing: build first"
    # The canary of the host: the first version of the guest unlinked it.
if [ -c /dev/null ]; then pass "the host's /dev/null is intact"; else fail "/dev/null" "gone"; fi
finish
    exit
fi

as_user=()
if [ "$(id -u)" = 0 ]; then
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    chmod 755 "$work"
fi

# run_seed SEED: one run; returns non-zero and explains on a finding.
run_seed() {
    local seed=$1 st=0 dir="$work/run-$1" cwd="$work/run-$1/a/b/c/d/e/f/g/cwd"
    mkdir -p "$cwd" # '..' chains from the guest's cwd stay inside $dir
    chmod -R a+rwx "$dir/a"
    : >"$dir/in"
    (cd "$cwd" && timeout "$timeout_s" "${as_user[@]}" "$vmemu" run --quiet "$guest" "$seed" \
        "$count" <"$dir/in" >"$dir/out" 2>"$dir/err") || st=$?
    local bad
    # Only vmemu writes there (the guest moves its 0-2 to a file), but bound it anyway.
    head -c 1M "$dir/err" >"$dir/err.head"
    bad=$(grep -a -E 'AddressSanitizer|LeakSanitizer|runtime error|vmemu: (internal|emulator) error|^vmemu: .*(failed|corrupt)' "$dir/err.head" | head -n 3)
    if [ "$st" = 0 ] && [ -z "$bad" ]; then
        rm -rf "$dir"
        return 0
    fi
    [ "$st" = 124 ] && echo "  seed $seed: hang (no end after ${timeout_s}s)"
    [ "$st" != 0 ] && [ "$st" != 124 ] && echo "  seed $seed: status $st"
    grep -a -E -A 8 'ERROR: |runtime error|vmemu: ' "$dir/err.head" | grep -av 'unimplemented system call' |
        head -n 12 | sed 's/^/    /'
    mkdir -p "$build/fuzz-findings"
    cp "$dir/err.head" "$build/fuzz-findings/syscalls-$seed.stderr"
    echo "$seed status $st" >"$build/fuzz-findings/syscalls-$seed.status"
    return 1
}

if [ "$seconds" -gt 0 ]; then
    start=$(od -An -N3 -tu4 /dev/urandom | tr -d ' ')
    echo "  campaign: ${seconds}s, seeds from $start, $count calls each"
    deadline=$((SECONDS + seconds))
    s=$start
    while [ $SECONDS -lt $deadline ]; do
        if run_seed "$s"; then pass "seed $s"; else fail "seed $s" "see above"; fi
        s=$((s + 1))
    done
    echo "  seeds $start..$((s - 1)) ran"
else
    for s in 1 2 3 4 5 6 7 8; do
        if run_seed "$s"; then pass "seed $s"; else fail "seed $s" "see above"; fi
    done
    echo "  (seeds 1..8, $count calls each)"
fi
# The canary of the host: the first version of the guest unlinked it.
if [ -c /dev/null ]; then pass "the host's /dev/null is intact"; else fail "/dev/null" "gone"; fi
finish
