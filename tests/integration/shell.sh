#!/usr/bin/env bash
# Shells under vmemu do what they do natively: busybox sh (and bash-static)
# run pipelines, command substitution, redirections, && and ||, loops that
# start external programs, background jobs and wait, and scripts from files.
# Every case runs natively and under `vmemu run`, with PATH holding only
# busybox applets (static programs), and stdout and status must match.
# Then: 100 processes made and reaped by one shell loop, with every frame
# back afterwards (--check-leaks); and a deadlock (two processes each
# reading the other's pipe) that vmemu ends with one line and status 124.
#
# usage: shell.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: shell.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

busybox=/bin/busybox
bash_static=/bin/bash-static
bin="$work/bin"
mkdir -p "$bin"
for applet in sh echo cat wc sort head tail tr seq sleep true false ls grep sed awk expr test \
    printf env yes tee cut uniq rev md5sum mkdir rm touch basename dirname kill; do
    ln -s "$busybox" "$bin/$applet"
done

# run_case NAME STATUS SHELL ARGS...: native and vmemu agree on stdout and
# status, and the status is the one the case ends with.
run_case() {
    local name=$1 want=$2
    shift 2
    local n_st v_st
    (cd "$work" && PATH="$bin" /usr/bin/timeout 60 "$@" >"$work/n.out" 2>"$work/n.err")
    n_st=$?
    (cd "$work" && PATH="$bin" /usr/bin/timeout 60 "$vmemu" run --quiet "$@" >"$work/v.out" 2>"$work/v.err")
    v_st=$?
    if [ "$n_st" != "$want" ]; then
        fail "$name" "the native run ended with $n_st, not $want"
        sed 's/^/    native stderr: /' "$work/n.err" | head -n 5
    elif [ "$n_st" != "$v_st" ]; then
        fail "$name" "status native $n_st, vmemu $v_st"
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
    elif ! cmp -s "$work/n.out" "$work/v.out"; then
        fail "$name" "stdout differs (< native, > vmemu)"
        diff "$work/n.out" "$work/v.out" | head -n 10 | sed 's/^/    /'
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
    else
        pass "$name ($(wc -l <"$work/n.out") lines, status $n_st)"
    fi
}

script='
echo hello | tr a-z A-Z
x=$(echo inner; echo second) && echo "substituted: $x"
seq 1 200 | sort -rn | head -n 3 | tail -n 1
echo to-file >f1 && cat f1 && echo appended >>f1 && wc -l <f1
cat nonexistent 2>/dev/null || echo "cat failed: $?"
true && echo and-true; false && echo never; false || echo or-false
for i in 1 2 3 4 5; do echo "line $i"; done | grep -c line
i=0; while [ $i -lt 5 ]; do i=$(expr $i + 1); done; echo "counted to $i"
(echo in a subshell; exit 3); echo "subshell status $?"
sleep 1 & sleep 1 & wait; echo "both background jobs done"
echo "a b c" | { read -r p q r; echo "$r $q $p"; }
printf "%s-%d\n" abc 42
yes | head -n 2
echo last; exit 7
'

run_case "busybox sh -c" 7 "$busybox" sh -c "$script"
printf '%s\n' "$script" >"$work/script.sh"
run_case "busybox sh script.sh" 7 "$busybox" sh "$work/script.sh"
printf '#!%s sh\necho from a script run by exec: $#\n' "$busybox" >"$work/exec.sh"
chmod +x "$work/exec.sh"
run_case "#! script through execve" 0 "$busybox" sh -c "$work/exec.sh one two; echo after \$?"

if [ -x "$bash_static" ]; then
    bash_script='
set -o pipefail
declare -a arr=(one two three)
echo "${#arr[@]} ${arr[1]}"
out=$(for w in "${arr[@]}"; do echo "$w"; done | sort | tr "\n" " ")
echo "sorted: $out"
seq 1 50 | awk "{ s += \$1 } END { print s }"
f() { local v=$1; echo "f got $v"; return 4; }
f arg; echo "f returned $?"
exec 3>fd3.txt; echo through-fd3 >&3; exec 3>&-; cat fd3.txt
[[ abc == a* ]] && echo "glob match"
false | true; echo "pipefail: $?"
'
    run_case "bash-static -c" 0 "$bash_static" -c "$bash_script"
else
    fail "bash-static" "$bash_static is missing (.ci/deps.sh installs bash-static)"
fi

# 100 processes, each made and reaped by the shell: every frame comes back.
if PATH="$bin" "$vmemu" run --check-leaks "$busybox" sh -c \
    'i=0; while [ $i -lt 100 ]; do (exit 0); i=$((i + 1)); done; echo $i' \
    >"$work/many.out" 2>"$work/many.err" &&
    [ "$(cat "$work/many.out")" = 100 ] &&
    grep -q 'leak check: every frame came back' "$work/many.err" &&
    grep -q '^vmemu: 101 processes:$' "$work/many.err"; then
    pass "100 processes created and reaped, no frame lost"
else
    fail "100 processes" "$(tail -n 3 "$work/many.err")"
fi

# 150 programs run one after another: their translations, more than the
# emulator's 64 MiB buffer holds, never fill it while the CPU runs (Unicorn
# 2.1.1 crashed flushing it from inside its loop; vmemu empties it between
# runs).
if PATH="$bin" "$vmemu" run --quiet "$busybox" sh -c \
    'i=0; while [ $i -lt 150 ]; do cat </dev/null; i=$((i + 1)); done; echo $i' \
    >"$work/execs.out" 2>"$work/execs.err" && [ "$(cat "$work/execs.out")" = 150 ]; then
    pass "150 programs run in turn"
else
    fail "150 programs" "status or output wrong: $(cat "$work/execs.out") $(tail -n 3 "$work/execs.err")"
fi

# Two processes each waiting to read the other's pipe: nothing can ever run.
deadlock_prog="$work/deadlock"
cat >"$work/deadlock.c" <<'EOF'
#include <unistd.h>
int main(void)
{
    int a[2], b[2];
    char c;
    pipe(a);
    pipe(b);
    if (fork() == 0) {
        read(a[0], &c, 1); /* waits for the parent */
        write(b[1], "x", 1);
        return 0;
    }
    read(b[0], &c, 1); /* waits for the child */
    write(a[1], "x", 1);
    return 0;
}
EOF
if musl-gcc -static -O1 -o "$deadlock_prog" "$work/deadlock.c" 2>"$work/cc.err"; then
    st=$(
        timeout 60 "$vmemu" run --quiet "$deadlock_prog" >/dev/null 2>"$work/dl.err"
        echo $?
    )
    if [ "$st" = 124 ] && [ "$(grep -c '^vmemu: deadlock: ' "$work/dl.err")" = 1 ] &&
        grep -q 'deadlock\[1000\] in read deadlock\[1001\] in read' "$work/dl.err"; then
        pass "deadlock: one line, status 124"
    else
        fail "deadlock" "status $st, stderr: $(head -n 2 "$work/dl.err")"
    fi
else
    fail "deadlock" "cannot build the test program: $(head -n 1 "$work/cc.err")"
fi

finish
