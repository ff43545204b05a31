#!/usr/bin/env bash
# Every exit status docs/vmemu.1 (EXIT STATUS) and README list, produced
# and checked against both: the program's own status, 128 + the signal
# that killed it, 2 for a usage error, 124 when every task is blocked for
# good, 125 when vmemu itself failed (a report or trace it could not
# write), 126 for a program execve refuses, 127 for one it cannot find;
# check's 0, 1 and 2, report's 1 and 2.
#
# usage: exit_status.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: exit_status.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
require "$vmemu"

cat >"$work/statuses.c" <<'C'
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* statuses exit N | signal N | block */
int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "exit"))
        return atoi(argv[2]);
    if (argc > 2 && !strcmp(argv[1], "signal"))
        raise(atoi(argv[2]));
    if (argc > 1 && !strcmp(argv[1], "block")) { /* reads a pipe only it could write */
        int p[2];
        char c;
        if (pipe(p) == 0)
            read(p[0], &c, 1);
    }
    return 99;
}
C
prog=$work/statuses
if ! musl-gcc -static -O1 -o "$prog" "$work/statuses.c" 2>"$work/cc.err"; then
    fail build "$(head -n 1 "$work/cc.err")"
    finish
    exit
fi
cp "$prog" "$work/not-executable" && chmod -x "$work/not-executable"
: >"$work/bad.jsonl"

# status WANT LABEL ARGS...: vmemu ARGS exits WANT.
status() {
    local want=$1 label=$2 st=0
    shift 2
    timeout 60 "$vmemu" "$@" >/dev/null 2>"$work/err" </dev/null || st=$?
    if [ "$st" = "$want" ]; then
        pass "$want: $label"
    else
        fail "$label" "status $st, expected $want: $(head -n 1 "$work/err")"
    fi
}
status 0 "the program's status" run --quiet "$prog" exit 0
status 3 "the program's status" run --quiet "$prog" exit 3
status 143 "128 + SIGTERM, which killed the program" run --quiet "$prog" signal 15
status 139 "128 + SIGSEGV" run --quiet "$prog" signal 11
status 2 "a usage error" run --bogus "$prog"
status 2 "a usage error" check
status 124 "every task blocked for good" run --quiet "$prog" block
status 125 "a report vmemu could not write" run --quiet --html=/dev/full "$prog" exit 0
status 125 "a trace vmemu could not write" run --quiet --trace=mm --trace-file=/dev/full "$prog" exit 0
status 126 "a program execve refuses (no execute permission)" run --quiet "$work/not-executable"
status 127 "a program that does not exist" run --quiet "$work/missing"
status 0 "check: the trace matches" check --update "$work/expected" "$prog" exit 0
status 0 "check: the trace matches" check "$work/expected" "$prog" exit 0
status 2 "check: an expected file made for other arguments" check "$work/expected" "$prog" exit 3
sed -i '$d' "$work/expected" # the run's last event is no longer expected
status 1 "check: the trace differs" check "$work/expected" "$prog" exit 0
status 1 "report: a trace it cannot read" report "$work/bad.jsonl" -o "$work/r.html"
status 2 "report: a usage error" report "$work/bad.jsonl"

# The documentation lists each of them.
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$src/docs/vmemu.1" >"$work/man"
sed -n '/^## Exit status/,/^## /p' "$src/README.md" >"$work/readme"
for doc in man readme; do
    missing=()
    for n in 2 124 125 126 127 128; do
        grep -qw "$n" "$work/$doc" || missing+=("$n")
    done
    if [ ! -s "$work/$doc" ]; then
        fail "$doc" "no exit status section"
    elif [ ${#missing[@]} -eq 0 ]; then
        pass "the $doc's exit status section lists 2, 124, 125, 126, 127 and 128 + the signal"
    else
        fail "$doc" "its exit status section misses ${missing[*]}"
    fi
done
finish
