#!/usr/bin/env bash
# Every sample program, musl and glibc builds alike (static, and the
# dynamically linked -dyn ones), run twice: natively
# with ASLR off (setarch -R, the layout vmemu reproduces) and as
# `vmemu run --quiet BINARY ARGS`. stdout must match byte for byte and the
# exit status must be the same. file_limits must die of SIGXFSZ both times
# (status 153). bad_pointer must die of SIGSEGV both times
# (status 139, as a shell reports it) and vmemu's stderr must carry a
# kernel-style line such as
#   bad_pointer-mus[1]: segfault at 10 ip 0000000000401abc sp 00007fffffffe9f0 error 6 ...
# privileged runs one privileged instruction per run, each of which must
# kill it with SIGSEGV as at CPL 3. The *-nolibc samples have no C library
# (their registers at _start are compared). No sample but bad_syscalls may
# make vmemu report an unimplemented system call: none that the C
# libraries' start-up or the samples issue is left unanswered.
#
# usage: samples.sh BUILD_DIR SOURCE_DIR
# Set VMEMU_TEST_TIMEOUT (seconds, default 120) to change the per-run limit.
. "${2:?usage: samples.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-120}
segv_line='segfault at 10 ip [0-9a-f]+ sp [0-9a-f]+ error [0-9]+'

# run OUT ERR CMD...: run CMD under a timeout, print its exit status. The
# subshell keeps bash's own "Segmentation fault" notice out of the output.
run() {
    local out=$1 err=$2
    shift 2
    (
        timeout "$timeout_s" "$@" >"$out" 2>"$err"
        echo $?
    ) 2>/dev/null
}

# Show the first differing lines of two outputs, indented.
show_diff() {
    diff "$1" "$2" | head -n 10 | sed 's/^/    /'
}

# check_sample BINARY ARGS...: native and vmemu runs must agree.
check_sample() {
    local bin=$1 name
    name=$(basename "$bin")
    shift
    local label=$name
    [ $# -gt 0 ] && label="$label$(printf ' %q' "$@")"
    local n_st v_st
    n_st=$(run "$work/n.out" "$work/n.err" setarch "$(uname -m)" -R "$bin" "$@")
    v_st=$(run "$work/v.out" "$work/v.err" "$vmemu" run --quiet "$bin" "$@")
    echo "  $label: native status $n_st, vmemu status $v_st, stdout $(wc -c <"$work/n.out") bytes"
    if [ "$v_st" = 124 ] || [ "$n_st" = 124 ]; then
        fail "$label" "timed out after ${timeout_s}s (native $n_st, vmemu $v_st)"
        return
    fi
    if ! cmp -s "$work/n.out" "$work/v.out"; then
        fail "$label" "stdout differs (< native, > vmemu)"
        show_diff "$work/n.out" "$work/v.out"
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
        return
    fi
    if [ "$n_st" != "$v_st" ]; then
        fail "$label" "exit status native $n_st, vmemu $v_st"
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
        return
    fi
    case $name in
    bad_pointer-*)
        if [ "$n_st" != 139 ]; then
            fail "$label" "expected death by SIGSEGV (status 139), got $n_st"
            return
        fi
        if ! grep -Eq "$segv_line" "$work/v.err"; then
            fail "$label" "vmemu's stderr lacks a line matching '$segv_line'"
            sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
            return
        fi
        # The report goes on with the disassembled instruction and the map around 0x10.
        if ! grep -Eq '^vmemu: faulting instruction: 0x[0-9a-f]+: mov dword ptr \[0x10\], 1$' "$work/v.err" ||
            ! grep -q '^vmemu: 0x10 is in no mapping; mappings around it:$' "$work/v.err" ||
            ! grep -Eq '^vmemu:   00400000-[0-9a-f]+ r--p 00000000 .*/bad_pointer-' "$work/v.err"; then
            fail "$label" "the report lacks the disassembled instruction or the map around 0x10"
            sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 8
            return
        fi
        ;;
    privileged-*)
        # A privileged instruction at CPL 3: #GP, so SIGSEGV (status 139);
        # with no argument, only the selectors are printed.
        if [ "$n_st" != "$([ $# -gt 0 ] && echo 139 || echo 0)" ]; then
            fail "$label" "expected death by SIGSEGV (status 139), got $n_st"
            return
        fi
        ;;
    file_limits-*)
        # Its last write goes past RLIMIT_FSIZE with SIGXFSZ at its default
        # action: killed, with a core dump the test's ulimit forbids.
        if [ "$n_st" != 153 ]; then
            fail "$label" "expected death by SIGXFSZ (status 153), got $n_st"
            return
        fi
        ;;
    exec_data-*)
        # A fetch from a fresh data page: mapped first, then SIGSEGV with
        # error 15 (protection, user, instruction fetch), as Linux reports it.
        if [ "$n_st" != 139 ]; then
            fail "$label" "expected death by SIGSEGV (status 139), got $n_st"
            return
        fi
        if ! grep -Eq 'segfault at 7f[0-9a-f]+ ip 00007f[0-9a-f]+ sp [0-9a-f]+ error 15$' "$work/v.err"; then
            fail "$label" "vmemu's stderr lacks a 'segfault at 7f... ip 00007f... error 15' line"
            sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
            return
        fi
        ;;
    *)
        if [ "$n_st" != 0 ]; then
            fail "$label" "the sample itself failed natively (status $n_st)"
            return
        fi
        ;;
    esac
    # Only bad_syscalls calls what no kernel has (system call 999).
    if [ "${name%%-*}" != bad_syscalls ] && grep -q 'unimplemented system call' "$work/v.err"; then
        fail "$label" "vmemu said: $(grep -m1 'unimplemented system call' "$work/v.err")"
        return
    fi
    pass "$label"
}

if [ ! -x "$vmemu" ]; then
    echo "FAIL: $vmemu is missing: build it first"
    echo "0 passed, 1 failed"
    exit 1
fi

shopt -s nullglob
bins=("$build"/samples/*-musl "$build"/samples/*-glibc "$build"/samples/*-pie "$build"/samples/*-nolibc
      "$build"/samples/*-dyn)
if [ ${#bins[@]} -eq 0 ]; then
    echo "FAIL: no sample binaries in $build/samples: build the 'samples' target"
    echo "0 passed, 1 failed"
    exit 1
fi

for bin in "${bins[@]}"; do
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
        continue
    fi
    case $(basename "$bin") in
    hello-*)
        check_sample "$bin"
        check_sample "$bin" one "two words" "" "ünïcödé"
        ;;
    anon_touch-*)
        check_sample "$bin" 1024
        check_sample "$bin" # the default, 16384 pages (64 MiB)
        ;;
    privileged-*)
        check_sample "$bin"
        for insn in cli hlt rdmsr wrmsr mov-cr0 mov-cr4 lgdt swapgs sysret iret-cpl0 invlpg wbinvd; do
            check_sample "$bin" "$insn"
        done
        ;;
    *)
        check_sample "$bin"
        ;;
    esac
done

finish
