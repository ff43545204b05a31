#!/usr/bin/env bash
# process_mrelease frees a killed process's anonymous memory before it
# exits: tests/programs/mrelease_reap (musl and glibc) under vmemu must
# print tests/programs/mrelease_reap.out, where the child's RssAnon is 0 kB
# right after the call. No native run: natively the child's own exit races
# with the parent's read (the program's comment says why vmemu's does not).
#
# usage: mrelease.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: mrelease.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

expected="$src/tests/programs/mrelease_reap.out"
for libc in musl glibc; do
    bin="$build/tests/programs/mrelease_reap-$libc"
    require "$bin"
    if timeout 120 "$vmemu" run --quiet "$bin" >"$work/v.out" 2>"$work/v.err" &&
        cmp -s "$expected" "$work/v.out"; then
        pass "mrelease_reap-$libc: the killed child's anonymous memory is gone at once"
    else
        fail "mrelease_reap-$libc" "differs from $expected (< expected, > vmemu)"
        diff "$expected" "$work/v.out" | head -n 10 | sed 's/^/    /'
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
    fi
done
finish
