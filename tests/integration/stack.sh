#!/usr/bin/env bash
# The stack grows down on demand, within RLIMIT_STACK (set to 8 MiB here
# for both runs): samples/stack_grow recursing about 1 MiB deep must print
# the same natively and under vmemu, and vmemu's fault trace must show the
# growth as stack-grow faults in the [stack] VMA; recursing without end must
# die of SIGSEGV (status 139) both ways, vmemu printing the segfault line,
# with the stack VMA no larger than the limit.
#
# usage: stack.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: stack.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
ulimit -s 8192

check() { # check NAME CONDITION-STATUS MESSAGE
    if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi
}

for bin in "$build"/samples/stack_grow-musl "$build"/samples/stack_grow-glibc; do
    name=$(basename "$bin")
    setarch "$(uname -m)" -R "$bin" >"$work/n.out" 2>&1
    "$vmemu" run --quiet --trace=fault --trace-file="$work/t" "$bin" >"$work/v.out" 2>&1
    cmp -s "$work/n.out" "$work/v.out"
    check "$name output" $? "native '$(cat "$work/n.out")', vmemu '$(cat "$work/v.out")'"
    grows=$(grep -c 'fault stack-grow .* vma=7ff[0-9a-f]*-7ffffffff000 rw-p \[stack\]' "$work/t")
    [ "$grows" -ge 200 ]
    check "$name stack-grow faults ($grows)" $? "expected hundreds of stack-grow faults"

    { (setarch "$(uname -m)" -R "$bin" overflow >/dev/null 2>&1); } 2>/dev/null
    n_st=$?
    "$vmemu" run --quiet --maps "$bin" overflow >/dev/null 2>"$work/v.err"
    v_st=$?
    [ "$n_st" -eq 139 ] && [ "$v_st" -eq 139 ]
    check "$name overflow status" $? "native $n_st, vmemu $v_st (want 139)"
    grep -Eq 'segfault at [0-9a-f]+ ip [0-9a-f]+ sp [0-9a-f]+ error [0-9]+' "$work/v.err"
    check "$name overflow segfault line" $? "$(head -3 "$work/v.err")"
    stack=$(grep '\[stack\]' "$work/v.err" | head -1)
    size=$(( 0x$(echo "$stack" | cut -d' ' -f1 | cut -d- -f2) - 0x$(echo "$stack" | cut -d' ' -f1 | cut -d- -f1) ))
    [ -n "$stack" ] && [ "$size" -le $((8 << 20)) ] && [ "$size" -gt $((7 << 20)) ]
    check "$name overflow stack size ($size bytes)" $? "stack VMA '$stack'"
done
finish
