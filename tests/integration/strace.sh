#!/usr/bin/env bash
# vmemu's syscall trace reads as strace's: samples/syscalls (files, memory,
# descriptors, signals, a child process, a scratch directory) runs natively
# under `strace -f` (ASLR off) and under `vmemu run --trace=syscall`, and
# the two are equal line for line, apart from what legitimately differs
# (pids, stack and mmap addresses, the environment, random bytes: see
# tests/integration/lib/strace_compare.py). The JSON Lines form of the same
# run carries each call both raw (registers) and decoded.
#
# usage: strace.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: strace.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

require "$vmemu" "$build/samples/syscalls-musl" "$build/samples/syscalls-glibc"
if ! command -v strace >/dev/null; then
    fail strace "strace is not installed (.ci/deps.sh installs it)"
    finish
    exit
fi

# Run CMD with only stdin, stdout and stderr open, as vmemu starts a guest
# (ctest and shells may leave others open, which would shift descriptor numbers).
only_std_fds() {
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-"
        done
        exec "$@"
    )
}

for bin in "$build"/samples/syscalls-musl "$build"/samples/syscalls-glibc; do
    name=$(basename "$bin")
    rm -rf "$work/dir" && mkdir "$work/dir"
    only_std_fds setarch "$(uname -m)" -R strace -f -o "$work/native" "$bin" "$work/dir" >"$work/native.out"
    rm -rf "$work/dir" && mkdir "$work/dir"
    "$vmemu" run --quiet --trace=syscall --trace-file="$work/vmemu" "$bin" "$work/dir" >"$work/vmemu.out"
    if ! cmp -s "$work/native.out" "$work/vmemu.out"; then
        fail "$name" "stdout differs from the native run"
    elif python3 "$src/tests/integration/lib/strace_compare.py" "$work/native" "$work/vmemu" \
        >"$work/compare" 2>&1; then
        pass "$name: $(tail -1 "$work/compare")"
    else
        fail "$name" "the syscall trace differs from strace's"
        sed 's/^/    /' "$work/compare" | head -30
    fi
done

# The JSON Lines record of one call: raw registers and strace's rendering side by side.
bin="$build/samples/syscalls-musl"
rm -rf "$work/dir" && mkdir "$work/dir"
"$vmemu" run --quiet --trace=syscall --trace-format=jsonl --trace-file="$work/trace.jsonl" \
    "$bin" "$work/dir" >/dev/null
line=$(grep '"name":"access"' "$work/trace.jsonl")
if echo "$line" | grep -q '"args":\["0x[0-9a-f]*","0x0",' &&
    echo "$line" | grep -q '"decoded":\["\\"/nonexistent\\"","F_OK"\],"ret":"-1 ENOENT (No such file or directory)","errno":"ENOENT"'; then
    pass "jsonl: raw and decoded arguments"
else
    fail "jsonl" "the access() record lacks raw or decoded values: $line"
fi
finish
