#!/usr/bin/env bash
# samples/maps_script, every build (static musl and glibc, static PIE,
# dynamically linked with glibc and with musl, and the glibc one started as
# `ld.so PROGRAM`), run twice on the same fresh directory: natively with
# ASLR off (setarch -R) and as `vmemu run --quiet`. The script prints
# /proc/self/maps after each step of brk, mmap, mprotect, munmap, mremap,
# madvise and mlock, and the error of each call meant to fail; vmemu lays
# memory out as Linux does (the program, ld.so, the libraries, [vvar],
# [vdso], [vsyscall]), so the outputs must agree line for line. Left out of
# the comparison: the device and inode columns (vmemu's are the host
# file's, but shmem and the like have numbers only the kernel knows).
# Both runs get the same small environment, so the stack starts alike.
#
# usage: maps_native.sh BUILD_DIR SOURCE_DIR
# Set VMEMU_TEST_TIMEOUT (seconds, default 120) to change the per-run limit.
. "${2:?usage: maps_native.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-120}
last_step='== step 23: '

# The maps lines with "DEV INODE" for those two columns, and the run's directory as DIR.
normalise() {
    sed -E 's/^([0-9a-f]+-[0-9a-f]+ [-r][-w][-x][ps] [0-9a-f]+) [0-9a-f]+:[0-9a-f]+ [0-9]+ /\1 DEV INODE /' "$1" |
        sed "s#$2#DIR#g"
}

# The environment both runs get: small and fixed, plus the sanitizers'
# options of an ASan build (vmemu hands its environment to the program, so
# the native run gets them too and both stacks start alike).
run_env=(PATH=/usr/bin:/bin LC_ALL=C)
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
    [ -n "${!v:-}" ] && run_env+=("$v=${!v}")
done

# run_one OUT CMD...: that environment and a time limit; prints the status.
run_one() {
    local out=$1
    shift
    (
        env -i "${run_env[@]}" timeout "$timeout_s" "$@" >"$out" 2>&1
        echo $?
    ) 2>/dev/null
}

# check BINARY [LOADER]: LOADER (ld.so run directly) starts BINARY when given.
check() {
    local bin=$1 loader=${2:-} name
    name=$(basename "$bin")${loader:+ via $(basename "$loader")}
    local -a cmd=("$bin")
    [ -n "$loader" ] && cmd=("$loader" "$bin")
    local dir="$work/${name// /_}"
    mkdir -p "$dir/n" "$dir/v"
    # The file the script maps lives in DIR; both runs must see the same path.
    local data="$dir/d"
    mkdir -p "$data"
    local n_st v_st
    n_st=$(run_one "$dir/n/out" setarch "$(uname -m)" -R "${cmd[@]}" "$data")
    v_st=$(run_one "$dir/v/out" "$vmemu" run --quiet "${cmd[@]}" "$data")
    echo "  $name: native status $n_st, vmemu status $v_st, $(grep -c '^== step' "$dir/n/out") steps"
    if [ "$n_st" != 0 ]; then
        fail "$name" "the native run failed (status $n_st): $(head -n 3 "$dir/n/out")"
        return
    fi
    if [ "$v_st" != 0 ]; then
        fail "$name" "the vmemu run failed (status $v_st)"
        tail -n 5 "$dir/v/out" | sed 's/^/    /'
        return
    fi
    if ! grep -q "^$last_step" "$dir/n/out"; then
        fail "$name" "the native run stopped before '$last_step'"
        return
    fi
    normalise "$dir/n/out" "$data" >"$dir/n.norm"
    normalise "$dir/v/out" "$data" >"$dir/v.norm"
    if ! cmp -s "$dir/n.norm" "$dir/v.norm"; then
        fail "$name" "output differs (< native, > vmemu)"
        diff "$dir/n.norm" "$dir/v.norm" | head -n 20 | sed 's/^/    /'
        return
    fi
    pass "$name ($(wc -l <"$dir/n.norm") lines alike)"
}

if [ ! -x "$vmemu" ]; then
    echo "FAIL: $vmemu is missing: build it first"
    echo "0 passed, 1 failed"
    exit 1
fi

for libc in musl glibc pie glibc-dyn musl-dyn; do
    bin="$build/samples/maps_script-$libc"
    if [ -x "$bin" ]; then
        check "$bin"
    else
        fail "maps_script-$libc" "$bin is missing: build the 'samples' target"
    fi
done
ldso=/lib64/ld-linux-x86-64.so.2
if [ -x "$ldso" ] && [ -x "$build/samples/maps_script-glibc-dyn" ]; then
    check "$build/samples/maps_script-glibc-dyn" "$ldso"
else
    fail "maps_script via ld.so" "$ldso or maps_script-glibc-dyn is missing"
fi

finish
