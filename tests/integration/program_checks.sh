#!/usr/bin/env bash
# vmemu checks its PROGRAM as execve(2) does, compared with the shell
# starting the same file natively: a FIFO is refused at once (EACCES,
# never a wait for a writer), a file without execute permission is
# EACCES, a file somebody holds open for writing is ETXTBSY. vmemu says so
# in one line naming the file and Linux's errno, with status 126 as the
# shell. The other way round, the running program cannot be opened for
# writing (ETXTBSY), natively and under vmemu alike.
#
# usage: program_checks.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: program_checks.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-20}
sample="$build/samples/path_probe-musl"
require "$vmemu" "$sample"

# refused NAME PATH ERRNO: vmemu refuses PATH like the shell does.
refused() {
    local name=$1 path=$2 errno=$3 n_st v_st start elapsed
    (
        timeout "$timeout_s" "$path" >/dev/null 2>&1
        echo $? >"$work/n_st"
    ) 2>/dev/null
    n_st=$(cat "$work/n_st")
    start=$(date +%s)
    timeout "$timeout_s" "$vmemu" run --quiet "$path" >"$work/out" 2>"$work/err"
    v_st=$?
    elapsed=$(($(date +%s) - start))
    echo "  $name: native status $n_st, vmemu status $v_st, stderr: $(head -n 1 "$work/err")"
    if [ "$v_st" != "$n_st" ] || [ "$v_st" != 126 ]; then
        fail "$name" "status $v_st, natively $n_st (expected 126 both)"
    elif [ "$elapsed" -ge 5 ]; then
        fail "$name" "took $elapsed s: vmemu waited"
    elif [ "$(wc -l <"$work/err")" != 1 ] || ! grep -qF -- "$path" "$work/err" ||
        ! grep -q "($errno)" "$work/err"; then
        fail "$name" "stderr is not one line naming $path and $errno: $(cat "$work/err")"
    else
        pass "$name: 126, $errno"
    fi
}

mkfifo "$work/fifo"
chmod +x "$work/fifo"
refused "a FIFO" "$work/fifo" EACCES

cp "$sample" "$work/noexec"
chmod 644 "$work/noexec"
refused "no execute permission" "$work/noexec" EACCES

cp "$sample" "$work/busy"
exec 7>>"$work/busy"
refused "open for writing" "$work/busy" ETXTBSY
exec 7>&-

# The running program cannot be opened for writing, natively or under vmemu.
ops=(openw /proc/self/exe openw "$work/busy" open "$work/busy")
"$work/busy" "${ops[@]}" >"$work/native.out" 2>&1
timeout "$timeout_s" "$vmemu" run --quiet "$work/busy" "${ops[@]}" >"$work/vmemu.out" 2>&1
want="openw /proc/self/exe: ETXTBSY
openw $work/busy: ETXTBSY
open $work/busy: ok ?ELF???"
if [ "$(cat "$work/vmemu.out")" != "$want" ]; then
    fail "the running program opened for writing" "got: $(tr '\n' '|' <"$work/vmemu.out")"
elif ! cmp -s "$work/native.out" "$work/vmemu.out"; then
    fail "the running program opened for writing" "natively: $(tr '\n' '|' <"$work/native.out")"
else
    pass "the running program opened for writing: ETXTBSY, as natively"
fi
# Once it has ended, it may be written again.
if (exec 7>>"$work/busy") 2>/dev/null; then
    pass "after the run the program can be opened for writing"
else
    fail "after the run" "the program still cannot be opened for writing"
fi

finish
