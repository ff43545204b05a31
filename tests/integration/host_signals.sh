#!/usr/bin/env bash
# Signals sent to vmemu are the guest's. tests/programs/signal_victim
# writes files with write(), pwrite past the end, O_APPEND and a MAP_SHARED
# mapping (no close, no msync), says "ready", then blocks reading a pipe
# that never gets data, or spins. It is killed natively and under vmemu
# the same way; the exit status must be 128 + the signal both times and
# every file byte-identical: nothing the guest wrote may be lost.
# Also: a guest that ignores SIGINT survives it, and ends on SIGTERM; a
# signal vmemu was started with ignored stays ignored for the guest; a
# second SIGINT within a second ends even a guest that ignores SIGINT,
# still with everything written back.
#
# usage: host_signals.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: host_signals.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

# The pipe the victim reads: held open for writing here, so it never ends.
mkfifo "$work/fifo"
exec 7<>"$work/fifo"

# start NAME ENVARGS... -- CMD...: run `CMD $work/NAME` in the background
# (a fresh directory for its files) under `env ENVARGS` (the signal
# dispositions it starts with), and wait until it says it is ready. Sets pid.
start() {
    local name=$1
    shift
    local envargs=()
    while [ "$1" != -- ]; do
        envargs+=("$1")
        shift
    done
    shift
    # The old stdout goes first: its "ready" must not be taken for the new
    # run's (a kill before the child's exec would run lib.sh's EXIT trap).
    rm -rf "${work:?}/$name" "$work/$name.stdout"
    mkdir -p "$work/$name"
    printf 'data before\n' >"$work/$name/append.out"
    env "${envargs[@]}" "$@" "$work/$name" <"$work/fifo" >"$work/$name.stdout" 2>"$work/$name.stderr" &
    pid=$!
    for _ in $(seq 200); do
        grep -q ready "$work/$name.stdout" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# finish_run: wait for $pid for at most 10 s and set st to its status
# (999: it did not end). Not in a subshell: only this shell can wait for it.
finish_run() {
    local _
    for _ in $(seq 200); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            st=$?
            return
        fi
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    st=999
}

alive() {
    sleep 0.3
    kill -0 "$pid" 2>/dev/null
}

# same_files A B: the victim's four files are byte-identical.
same_files() {
    local f
    for f in write pwrite append shared; do
        if ! cmp -s "$work/$1/$f.out" "$work/$2/$f.out"; then
            echo "    $f.out differs: native $(wc -c <"$work/$1/$f.out") bytes, vmemu $(wc -c <"$work/$2/$f.out" 2>/dev/null) bytes"
            return 1
        fi
    done
}

# verdict LABEL OK WHY: passes when OK is 1, every file matches the native
# run's and vmemu reported no sanitizer error; else fails with WHY.
verdict() {
    if [ "$2" != 1 ]; then
        fail "$1" "$3"
        sed 's/^/    vmemu stderr: /' "$work/vmemu.stderr" | head -n 5
    elif ! same_files native vmemu; then
        fail "$1" "the files differ from the native run's"
    elif grep -Eq 'Sanitizer|runtime error' "$work/vmemu.stderr"; then
        fail "$1" "sanitizer report"
    else
        pass "$1"
    fi
}

# kill_case LIBC SIG MODE: killed by SIG while MODE, natively and under vmemu.
kill_case() {
    local libc=$1 sig=$2 mode=$3
    local bin="$build/tests/programs/signal_victim-$libc"
    local label="$libc SIG$sig while $mode" want n_st v_st
    want=$((128 + $(kill -l "$sig")))
    if ! start native --default-signal=INT,QUIT -- "$bin" "$mode"; then
        fail "$label" "the native run never got ready"
        kill -KILL "$pid" 2>/dev/null
        return
    fi
    kill "-$sig" "$pid" 2>/dev/null
    finish_run
    n_st=$st
    if ! start vmemu --default-signal=INT,QUIT -- "$vmemu" run --quiet "$bin" "$mode"; then
        fail "$label" "vmemu never got ready"
        sed 's/^/    stderr: /' "$work/vmemu.stderr" | head -n 5
        kill -KILL "$pid" 2>/dev/null
        return
    fi
    kill "-$sig" "$pid" 2>/dev/null
    finish_run
    v_st=$st
    echo "  $label: native status $n_st, vmemu status $v_st"
    verdict "$label" "$([ "$n_st$v_st" = "$want$want" ] && echo 1)" "expected status $want both times"
}

# ignore_case LIBC LABEL handler|inherited: SIGINT, ignored by the guest
# itself or when vmemu starts, must not end it; SIGTERM must.
ignore_case() {
    local libc=$1 label=$2 how=$3 n_ok=0 v_ok=0 mode=ignore-int n_st v_st
    local bin="$build/tests/programs/signal_victim-$libc" envargs=("--default-signal=INT,QUIT")
    if [ "$how" = inherited ]; then
        envargs=(--ignore-signal=INT)
        mode=spin
    fi
    start native "${envargs[@]}" -- "$bin" "$mode" && kill -INT "$pid" 2>/dev/null && alive && n_ok=1
    kill -TERM "$pid" 2>/dev/null
    finish_run
    n_st=$st
    start vmemu "${envargs[@]}" -- "$vmemu" run --quiet "$bin" "$mode" &&
        kill -INT "$pid" 2>/dev/null && alive && v_ok=1
    kill -TERM "$pid" 2>/dev/null
    finish_run
    v_st=$st
    echo "  $label: survived SIGINT native $n_ok vmemu $v_ok; after SIGTERM native $n_st, vmemu $v_st"
    verdict "$label" "$([ "$n_ok$v_ok$n_st$v_st" = 11143143 ] && echo 1)" \
        "expected both to survive SIGINT and end with status 143"
}

# insist_case LIBC: two SIGINTs 0.3 s apart end a guest that ignores SIGINT.
insist_case() {
    local libc=$1 label="$1 second SIGINT" v_st
    local bin="$build/tests/programs/signal_victim-$libc"
    start native --default-signal=INT,QUIT -- "$bin" ignore-int && kill -TERM "$pid" 2>/dev/null
    finish_run
    start vmemu --default-signal=INT,QUIT -- "$vmemu" run --quiet "$bin" ignore-int
    kill -INT "$pid" 2>/dev/null
    sleep 0.3
    kill -INT "$pid" 2>/dev/null
    finish_run
    v_st=$st
    echo "  $label: vmemu status $v_st"
    verdict "$label" "$([ "$v_st" = 130 ] && echo 1)" "expected vmemu to end with status 130"
}

for libc in musl glibc; do
    if [ ! -x "$build/tests/programs/signal_victim-$libc" ]; then
        fail "signal_victim-$libc" "missing: build the test_programs target"
        continue
    fi
    for sig in TERM INT HUP; do
        kill_case "$libc" "$sig" read
        kill_case "$libc" "$sig" spin
    done
    kill_case "$libc" QUIT spin
    kill_case "$libc" PIPE read
    ignore_case "$libc" "$libc SIGINT ignored by the guest" handler
    ignore_case "$libc" "$libc SIGINT ignored when vmemu starts" inherited
    insist_case "$libc"
done
exec 7>&-
finish
