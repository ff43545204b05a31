#!/usr/bin/env bash
# Real multi-threaded programs run under vmemu as they do natively:
#   - a static Go program (goroutines over several OS threads, channels, a
#     WaitGroup, the garbage-collected heap), built here with Debian's Go;
#   - qemu-x86_64-static (Debian's qemu-user-static, a static PIE that runs
#     an RCU thread beside its main one, and a host thread per guest
#     thread) emulating static samples, threaded ones too: qemu's JIT
#     rewrites its own code buffer when the guest's second thread starts,
#     which needs vmemu's write-xor-execute handling of code (emu/cpu.c).
# stdout and the exit status must equal the native run's.
#
# usage: real_threads.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: real_threads.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

# same NAME CMD...: native and vmemu agree on stdout and status (0).
same() {
    local name=$1
    shift
    local n_st v_st
    timeout 120 "$@" >"$work/n.out" 2>"$work/n.err"
    n_st=$?
    timeout 300 "$vmemu" run --quiet "$@" >"$work/v.out" 2>"$work/v.err"
    v_st=$?
    if [ "$n_st" != 0 ]; then
        fail "$name" "the native run failed ($n_st): $(head -n 2 "$work/n.err")"
    elif [ "$v_st" != "$n_st" ]; then
        fail "$name" "status native $n_st, vmemu $v_st: $(head -n 3 "$work/v.err")"
    elif ! cmp -s "$work/n.out" "$work/v.out"; then
        fail "$name" "stdout differs: $(diff "$work/n.out" "$work/v.out" | head -n 4)"
    elif [ -s "$work/v.err" ]; then
        fail "$name" "vmemu complained: $(head -n 3 "$work/v.err")"
    else
        pass "$name: $(head -n 1 "$work/v.out")"
    fi
}

if command -v go >/dev/null; then
    if (cd "$work" && CGO_ENABLED=0 GOCACHE="$work/gocache" GOPATH="$work/gopath" \
        go build -o "$work/workers" "$src/tests/go/workers.go") >"$work/go.err" 2>&1; then
        same "Go: goroutines and channels" "$work/workers"
    else
        fail "Go" "cannot build the Go program: $(head -n 3 "$work/go.err")"
    fi
else
    fail "Go" "go is missing (.ci/deps.sh installs golang-go)"
fi

qemu=/usr/bin/qemu-x86_64-static
if [ -x "$qemu" ]; then
    same "qemu-x86_64-static running hello-musl" "$qemu" "$build/samples/hello-musl" a b
    for t in mutex condvar tls spin exec_thread; do
        same "qemu-x86_64-static running threads-musl $t" "$qemu" "$build/samples/threads-musl" "$t"
    done
else
    fail "qemu-user-static" "$qemu is missing (.ci/deps.sh installs qemu-user-static)"
fi

finish
