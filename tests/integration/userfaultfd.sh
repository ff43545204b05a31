#!/usr/bin/env bash
# userfaultfd beyond what samples.sh compares with native runs:
#   - a thread touching a watched page with nobody to serve it sleeps for
#     ever in Linux; vmemu finds every task blocked and says so (exit 124,
#     naming the fault), instead of hanging;
#   - the fault trace shows each fault handed to the handler as a
#     "userfault" event, followed by the retry that completes it, and the
#     exit summary counts only the completed ones.
#
# usage: userfaultfd.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: userfaultfd.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

for libc in musl glibc; do
    bin="$build/samples/uffd_handler-$libc"
    require "$bin"

    timeout 60 "$vmemu" run --quiet "$bin" self >"$work/out" 2>"$work/err" </dev/null
    st=$?
    if [ "$st" = 124 ] && grep -q 'deadlock: .*\[1000\] in a page fault userfaultfd handles$' "$work/err"; then
        pass "$libc: a fault nobody serves is reported as a deadlock (status 124)"
    else
        fail "$libc: self-served fault" "status $st, stderr: $(head -n 2 "$work/err" | tr '\n' ' ')"
    fi

    timeout 60 "$vmemu" run --trace=fault "$bin" >"$work/out" 2>"$work/err" </dev/null
    handed=$(grep -c ' fault userfault ' "$work/err")
    # The handler prints one line per message it read.
    messages=$(grep -c '^handler: event 0x12 ' "$work/out")
    if [ "$handed" -gt 0 ] && [ "$handed" = "$messages" ]; then
        pass "$libc: $handed faults traced as handed to userfaultfd, one per message"
    else
        fail "$libc: trace" "$handed userfault events for $messages messages"
    fi
    # Every handed fault is retried by the same task on the same instruction once woken.
    unretried=$(awk '$3 == "fault" {
            match($0, / ip=0x[0-9a-f]+/); ip = substr($0, RSTART + 4, RLENGTH - 4)
            if (($2 in want) && want[$2] != ip) bad++
            delete want[$2]
            if ($4 == "userfault") want[$2] = ip
        }
        END { for (t in want) bad++; print bad + 0 }' "$work/err")
    if [ "$handed" -gt 0 ] && [ "$unretried" = 0 ]; then
        pass "$libc: each handed fault is retried on its instruction"
    else
        fail "$libc: trace" "$unretried handed faults not followed by their retry"
    fi
done
finish
