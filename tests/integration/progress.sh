#!/usr/bin/env bash
# --progress: on a terminal (script(1) gives the run one) a status line is
# redrawn while the program runs and cleared before vmemu's summary; when
# stderr is not a terminal the option changes nothing at all: the same
# stdout and the same stderr as without it.
#
# usage: progress.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: progress.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

bin="$build/samples/crunch-musl"
require "$vmemu" "$bin"

# A terminal: about 0.5 s of work with guest blocks counted (--html).
script -qfec "'$vmemu' run --progress --html='$work/r.html' '$bin' 1024" /dev/null >"$work/tty" 2>&1
status_re=$'\r\033\\[Kvmemu: [0-9.]+ s virtual, [0-9.]+[kMG]? blocks, [0-9.]+[kM]? faults?, [0-9]+ syscalls?, RSS [0-9.]+ MiB, 1 process, [0-9.]+ s'
if grep -aEq "$status_re" "$work/tty" && grep -aq $'\r\033\\[Kvmemu: crunch-musl exited with status 0' "$work/tty"; then
    pass "a terminal gets the status line, cleared before the summary"
else
    fail terminal "no status line, or not cleared: $(head -c 300 "$work/tty" | cat -v)"
fi

# Not a terminal: nothing changes (the wall time aside).
"$vmemu" run "$bin" 64 >"$work/plain.out" 2>"$work/plain.err"
"$vmemu" run --progress "$bin" 64 >"$work/progress.out" 2>"$work/progress.err"
if cmp -s "$work/plain.out" "$work/progress.out" &&
    diff <(grep -v 'wall time' "$work/plain.err") <(grep -v 'wall time' "$work/progress.err") >/dev/null &&
    ! grep -q $'\033' "$work/progress.err"; then
    pass "not a terminal: the same output as without --progress"
else
    fail "not a terminal" "the output changed"
fi
finish
