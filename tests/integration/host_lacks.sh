#!/usr/bin/env bash
# Memory features the host's kernel lacks, so that no native run can be
# the oracle: each tests/programs/NAME program runs under vmemu (musl and
# glibc builds) and its stdout must be tests/programs/NAME.out, the output
# Linux gives, written from its sources (each program's comment names
# them). A native run is made too: when the host does have the feature,
# it must print the same; when it lacks it, that is said and not counted.
#   anon_names  PR_SET_VMA_ANON_NAME (CONFIG_ANON_VMA_NAME)
#   soft_dirty  clear_refs 4 and pagemap's soft-dirty bit (CONFIG_MEM_SOFT_DIRTY)
#
# usage: host_lacks.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: host_lacks.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

for name in anon_names soft_dirty; do
    expected="$src/tests/programs/$name.out"
    for libc in musl glibc; do
        bin="$build/tests/programs/$name-$libc"
        require "$bin"
        if timeout 120 "$vmemu" run --quiet "$bin" >"$work/v.out" 2>"$work/v.err" &&
            cmp -s "$expected" "$work/v.out"; then
            pass "$name-$libc under vmemu prints what Linux prints"
        else
            fail "$name-$libc" "differs from $expected (< expected, > vmemu)"
            diff "$expected" "$work/v.out" | head -n 10 | sed 's/^/    /'
            sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
        fi
        setarch "$(uname -m)" -R "$bin" >"$work/n.out" 2>/dev/null
        if cmp -s "$expected" "$work/n.out"; then
            pass "$name-$libc natively prints the same (the host has the feature)"
        else
            echo "  $name-$libc: the host's kernel lacks the feature (its output differs)"
        fi
    done
done
finish
