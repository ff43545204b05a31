#!/usr/bin/env bash
# The command line refuses what it cannot honour with exit status 2 and
# one line on stderr saying what is wrong and what is accepted, before
# anything runs: a value where an option takes none (it used to crash),
# sizes and numbers that do not fit (--ram -1, --seed overflow), guest RAM
# below the minimum or above the machine's memory (saying so), unknown
# names, and trace options that would be silently ignored without --trace.
# The values it accepts still run the program.
#
# usage: options.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: options.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

prog="$build/samples/hello-musl"
if [ ! -x "$vmemu" ] || [ ! -x "$prog" ]; then
    fail "options" "build vmemu and the samples first"
    finish
    exit
fi

# refused LINE_PATTERN ARGS...: `vmemu ARGS` exits 2 with one stderr line matching.
refused() {
    local want=$1 st=0 lines
    shift
    timeout 30 "$vmemu" "$@" >"$work/out" 2>"$work/err" || st=$?
    lines=$(wc -l <"$work/err")
    if [ "$st" = 2 ] && [ "$lines" = 1 ] && grep -Eq -- "$want" "$work/err" && [ ! -s "$work/out" ]; then
        pass "refused: $*"
    else
        fail "refused: $*" "status $st, $lines stderr lines, expected 2 and one line matching '$want'"
        sed 's/^/    stderr: /' "$work/err" | head -n 3
    fi
}

# accepted ARGS...: `vmemu ARGS` runs hello and exits 0.
accepted() {
    local st=0
    timeout 30 "$vmemu" "$@" >"$work/out" 2>"$work/err" || st=$?
    if [ "$st" = 0 ] && grep -q 'Hello' "$work/out"; then
        pass "accepted: $*"
    else
        fail "accepted: $*" "status $st"
        sed 's/^/    stderr: /' "$work/err" | head -n 3
    fi
}

for flag in --quiet --maps --check-leaks --realtime; do
    refused "^vmemu: option $flag takes no value$" run "$flag=1" "$prog"
done
refused "^vmemu: invalid value for --ram: '-1' \(a size such as 256M" run --ram -1 "$prog"
refused "^vmemu: invalid value for --ram: ' 64M'" run --ram ' 64M' "$prog"
refused "^vmemu: invalid value for --ram: '1T'" run --ram 1T "$prog"
refused "^vmemu: invalid value for --ram: '99999999999G'" run --ram 99999999999G "$prog"
refused "^vmemu: --ram 1M is too small: guest RAM must be at least 16M$" run --ram 1M "$prog"
refused "^vmemu: --ram 16777217 is not a whole number of 4K pages$" run --ram 16777217 "$prog"
# More than the host's memory: struct pages alone would take 1/64 of it.
refused "^vmemu: --ram 9999999G is more than this machine's memory \([0-9]+M\)$" run --ram 9999999G "$prog"
refused "^vmemu: invalid value for --seed: '18446744073709551616' \(a number" run --seed 18446744073709551616 "$prog"
refused "^vmemu: invalid value for --seed: '-1'" run --seed -1 "$prog"
refused "^vmemu: invalid value for --seed: '0x'" run --seed 0x "$prog"
refused "^vmemu: invalid value for --vma-tree: 'bogus' \(maple, rbtree or array\)$" run --vma-tree bogus "$prog"
refused "^vmemu: invalid value for --trace: '' \(a comma list of fault" run --trace= "$prog"
refused "^vmemu: invalid value for --trace: 'faults' " run --trace=faults "$prog"
refused "^vmemu: --trace-file needs --trace=LIST: nothing is traced without it$" \
    run --trace-file="$work/t" "$prog"
refused "^vmemu: --trace-format needs --trace=LIST" run --trace-format=jsonl "$prog"
refused "^vmemu check: --trace-file is not used" check --trace-file="$work/t" "$work/e" "$prog"
refused "^vmemu: option --ram needs a value$" run --ram
refused "^vmemu: unknown option '--rams=1G'" run --rams=1G "$prog"
refused "^vmemu: invalid value for --cache: 'hot' \(warm or cold\)$" run --cache=hot "$prog"

accepted run --quiet --ram 16M "$prog"
accepted run --quiet --ram 65536K --seed 18446744073709551615 "$prog"
accepted run --quiet --seed 0xffffffffffffffff --vma-tree rbtree "$prog"
accepted run --quiet --trace=syscall --trace-format=jsonl --trace-file="$work/t" "$prog"
if [ -s "$work/t" ]; then pass "the trace file was written"; else fail "trace file" "empty"; fi
finish
