#!/usr/bin/env bash
# vmemu's command line follows the conventions of a Unix tool.
# VMEMU_OPTIONS holds default options for run and check, taken before the
# command line's, so those win; it is split as sh splits words (quotes and
# backslashes, nothing expanded) and refused with one line and status 2
# when it holds something that is not an option, an unknown option, '--'
# or an unterminated quote. -- ends vmemu's options, so a program whose
# name starts with '-' runs, and the words after the program are its own.
# -h and -V are --help and --version, for every command.
#
# usage: conventions.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: conventions.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

prog="$build/samples/hello-musl"
require "$vmemu" "$prog"
cd "$work" || exit 1

# vm ARGS...: vmemu ARGS with stdout in $work/out, stderr in $work/err; the status in $st.
vm() {
    st=0
    timeout 30 "$vmemu" "$@" >"$work/out" 2>"$work/err" </dev/null || st=$?
}

# memtotal: the MemTotal line --report=meminfo printed.
memtotal() {
    grep '^MemTotal:' "$work/err"
}

# --- VMEMU_OPTIONS ---------------------------------------------------------
vm run "$prog"
if [ "$st" = 0 ] && [ -s "$work/err" ]; then pass "without VMEMU_OPTIONS, the summary"; else
    fail "no VMEMU_OPTIONS" "status $st, stderr $(wc -c <"$work/err") bytes"
fi
VMEMU_OPTIONS="--quiet" vm run "$prog"
if [ "$st" = 0 ] && [ ! -s "$work/err" ] && grep -q Hello "$work/out"; then
    pass "VMEMU_OPTIONS=--quiet: no summary"
else
    fail "VMEMU_OPTIONS=--quiet" "status $st, stderr: $(head -n 2 "$work/err")"
fi

vm run --quiet --report=meminfo --ram 32M "$prog"
m32=$(memtotal)
vm run --quiet --report=meminfo --ram 64M "$prog"
m64=$(memtotal)
VMEMU_OPTIONS="--ram 32M --quiet" vm run --report=meminfo "$prog"
env_only=$(memtotal)
VMEMU_OPTIONS="--ram 32M --quiet" vm run --report=meminfo --ram 64M "$prog"
both=$(memtotal)
if [ -n "$m32" ] && [ "$m32" != "$m64" ] && [ "$env_only" = "$m32" ] && [ "$both" = "$m64" ]; then
    pass "VMEMU_OPTIONS's --ram applies, the command line's wins ($both)"
else
    fail "precedence" "32M: '$m32', 64M: '$m64', env: '$env_only', env+command line: '$both'"
fi

mkdir -p "$work/a dir"
VMEMU_OPTIONS="--quiet --trace=mm --trace-file='$work/a dir/t 1' --trace-format \"jsonl\"" vm run "$prog"
if [ "$st" = 0 ] && head -n 1 "$work/a dir/t 1" 2>/dev/null | grep -q '"type":"header"'; then
    pass "quoted words: a trace file whose path has blanks, a quoted value"
else
    fail "quoting" "status $st, stderr: $(head -n 2 "$work/err")"
fi
# shellcheck disable=SC2016 # the $ is for vmemu, which must not expand it
VMEMU_OPTIONS='--quiet --trace=mm --trace-file=$HOME\ x' vm run "$prog"
if [ "$st" = 0 ] && [ -s "$work/\$HOME x" ]; then
    pass "nothing expanded, a backslash keeps a blank: the file is '\$HOME x'"
else
    fail "no expansion" "status $st, files: $(ls "$work" | tr '\n' ' ')"
fi
VMEMU_OPTIONS=" " vm run --quiet "$prog"
if [ "$st" = 0 ] && grep -q Hello "$work/out"; then pass "a blank VMEMU_OPTIONS is no option"; else
    fail "blank" "status $st"
fi

VMEMU_OPTIONS="--trace=syscall" vm check --update "$work/expected" "$prog"
if [ "$st" = 0 ] && grep -Fq 'syscall writev(1, [{iov_base="Hello' "$work/expected"; then
    pass "check takes VMEMU_OPTIONS too (its trace has the system calls)"
else
    fail "check" "status $st, stderr: $(head -n 2 "$work/err")"
fi

# env_refused VALUE LINE_PATTERN: VMEMU_OPTIONS=VALUE makes run exit 2 with one line.
env_refused() {
    VMEMU_OPTIONS=$1 vm run --quiet "$prog"
    if [ "$st" = 2 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -Eq -- "$2" "$work/err" &&
        [ ! -s "$work/out" ]; then
        pass "VMEMU_OPTIONS='$1' refused: $(cat "$work/err")"
    else
        fail "VMEMU_OPTIONS='$1'" "status $st, stdout $(wc -c <"$work/out") bytes, stderr: $(head -n 2 "$work/err")"
    fi
}
env_refused "prog" "^vmemu: VMEMU_OPTIONS holds options only: 'prog' is not one$"
env_refused "--quiet $prog" "is not one$"
env_refused "--bogus" "^vmemu: unknown option '--bogus' in VMEMU_OPTIONS \(try --help\)$"
env_refused "-- --quiet" "^vmemu: VMEMU_OPTIONS: '--' ends options on the command line only$"
env_refused "--root '/tmp" "^vmemu: VMEMU_OPTIONS cannot be read: unterminated ' quote$"
env_refused "--quiet \\" "^vmemu: VMEMU_OPTIONS cannot be read: a backslash ends it$"
# Its last option's value is never taken from the command line.
env_refused "--ram" "^vmemu: option --ram needs a value$"
env_refused "--ram 1x" "^vmemu: invalid value for --ram: '1x'"

# --- -- ends options ---------------------------------------------------------
cp "$prog" "$work/-hello"
vm run --quiet -- -hello --quiet -- x
if [ "$st" = 0 ] && grep -q 'argv\[0\] = "-hello"' "$work/out" &&
    grep -q 'argv\[1\] = "--quiet"' "$work/out" && grep -q 'argv\[2\] = "--"' "$work/out" &&
    grep -q 'argv\[3\] = "x"' "$work/out"; then
    pass "run -- -hello: a program named -hello, and the words after it are its own"
else
    fail "run --" "status $st, stdout: $(head -n 4 "$work/out" | tr '\n' ' ') stderr: $(head -n 1 "$work/err")"
fi
vm run --quiet -hello
if [ "$st" = 2 ] && grep -q "^vmemu: unknown option '-hello'" "$work/err"; then
    pass "without --, -hello is an (unknown) option"
else
    fail "no --" "status $st, stderr: $(head -n 1 "$work/err")"
fi
vm run --quiet "$prog" --ram 1
if [ "$st" = 0 ] && grep -q 'argv\[1\] = "--ram"' "$work/out"; then
    pass "options after the program are the program's"
else
    fail "after the program" "status $st"
fi
vm check --update -- "$work/dash.expected" -hello
vm check -- "$work/dash.expected" -hello
if [ "$st" = 0 ] && [ -s "$work/dash.expected" ]; then
    pass "check -- EXPECTED -hello"
else
    fail "check --" "status $st, stderr: $(head -n 2 "$work/err")"
fi

# --- -h and -V -----------------------------------------------------------------
vm --help
cp "$work/out" "$work/help"
vm --version
cp "$work/out" "$work/version"
same_as() { # same_as FILE LABEL ARGS...: vmemu ARGS exits 0 and prints FILE
    local want=$1 label=$2
    shift 2
    vm "$@"
    if [ "$st" = 0 ] && cmp -s "$want" "$work/out" && [ ! -s "$work/err" ]; then
        pass "$label: vmemu $*"
    else
        fail "$label: vmemu $*" "status $st, stdout differs or stderr: $(head -n 1 "$work/err")"
    fi
}
if grep -q '^usage: vmemu run' "$work/help" && grep -q '^vmemu ' "$work/version"; then
    pass "--help and --version print"
else
    fail "--help/--version" "$(head -n 1 "$work/help") / $(head -n 1 "$work/version")"
fi
same_as "$work/help" "-h is --help" -h
same_as "$work/help" "-h is --help" run -h
same_as "$work/help" "-h is --help" check -h
same_as "$work/version" "-V is --version" -V
same_as "$work/version" "-V is --version" run -V
same_as "$work/version" "-V is --version" run --version
vm report -h
if [ "$st" = 0 ] && grep -q '^usage: vmemu report ' "$work/out"; then
    pass "report -h: its usage, status 0"
else
    fail "report -h" "status $st"
fi
finish
