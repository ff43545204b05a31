#!/usr/bin/env bash
# Runs are deterministic: two runs of every static sample, and of a few
# dynamically linked ones (which load ld.so and libraries, read the clock
# through the vDSO, fork), with --trace=all in JSON Lines give
# byte-identical traces, and the text format too. Every line of a
# JSON trace is one object with the schema's fields (checked for the event
# types that occur).
#
# Samples take the arguments in tests/expected/NAME-musl.args when it exists
# (sample_args; they run in the scratch directory), and every run must end
# with the sample's own exit status (sample_status).
#
# usage: trace_determinism.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: trace_determinism.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
cd "$work" || exit 1

dynamic=(hello-glibc-dyn hello-musl-dyn vdso_clock-glibc-dyn shared_lib-musl-dyn)
i=-1
for bin in "$build"/samples/*-musl "$build"/samples/*-glibc "${dynamic[@]/#/$build/samples/}"; do
    i=$((i + 1))
    in_shard $i || continue
    name=$(basename "$bin")
    sample_args "$name"
    want=$(sample_status "$name")
    for fmt in jsonl text; do
        statuses=
        for run in 1 2; do
            timeout 120 "$vmemu" run --quiet --trace=all --trace-format=$fmt \
                --trace-file="$work/$run.$fmt" "$bin" "${args[@]}" >/dev/null 2>&1
            statuses="$statuses $?"
        done
        if [ "$statuses" != " $want $want" ]; then
            fail "$name/$fmt" "exit statuses$statuses, want $want both times"
        elif [ ! -s "$work/1.$fmt" ]; then
            fail "$name/$fmt" "empty trace"
        elif ! cmp -s "$work/1.$fmt" "$work/2.$fmt"; then
            fail "$name/$fmt" "two runs differ: $(cmp "$work/1.$fmt" "$work/2.$fmt" | head -1)"
        else
            passed=$((passed + 1))
        fi
    done
    # Shape of the JSON Lines: a header first, the first process's exit last
    # (only the page cache's writeback at vmemu's end may follow), fields present.
    j="$work/1.jsonl"
    exit_re='^\{"seq":[0-9]+,"type":"exit","pid":1000,"tid":1000,"t":[0-9]+,"status":-?[0-9]+,"signal":[0-9]+\}$'
    if ! head -1 "$j" | grep -q '^{"type":"header","schema":"vmemu-trace","version":4,'; then
        fail "$name" "no header record"
    elif ! grep -v '"type":"pagecache"' "$j" | tail -1 | grep -Eq "$exit_re"; then
        fail "$name" "no exit record of the first process at the end"
    elif grep '"type":"fault"' "$j" | grep -Ev '^\{"seq":[0-9]+,"type":"fault","pid":[0-9]+,"tid":[0-9]+,"t":[0-9]+,"ip":"0x[0-9a-f]+","insn":".*","func":(null|"[^"]+"),"line":(null|"[^"]+:[0-9]+"),"addr":"0x[0-9a-f]+","access":"(read|write|exec)","via":(null|"[a-z0-9_]+"),"vma":(null|\{"start":"0x[0-9a-f]+","end":"0x[0-9a-f]+","prot":"[r-][w-][x-][ps]","name":".*","offset":"0x[0-9a-f]+"\}),"kind":"[a-z-]+","major":(true|false),"pfn":[0-9]+,"around":[0-9]+,"readahead":[0-9]+\}$' | grep -q .; then
        fail "$name" "a fault record does not follow the schema"
    elif grep '"type":"mm"' "$j" | grep -Ev '^\{"seq":[0-9]+,"type":"mm","pid":[0-9]+,"tid":[0-9]+,"t":[0-9]+,"call":"[a-z]+","args":\[("0x[0-9a-f]+",?)*\],"result":"-?0x[0-9a-f]+","changes":\[.*\],"dropped":[0-9]+\}$' | grep -q .; then
        fail "$name" "an mm record does not follow the schema"
    elif grep '"type":"syscall"' "$j" | grep -Ev '^\{"seq":[0-9]+,"type":"syscall","pid":[0-9]+,"tid":[0-9]+,"t":[0-9]+,"nr":[0-9]+,"name":"[a-z0-9_]+","args":\[("0x[0-9a-f]+",?){6}\],"result":-?[0-9]+,"dur":[0-9]+,"decoded":\[.*\],"ret":".*","errno":(null|"E[A-Z0-9_]+")\}$' | grep -q .; then
        fail "$name" "a syscall record does not follow the schema"
    elif ! grep -q '"type":"fault"' "$j" || ! grep -q '"type":"mm"' "$j" || ! grep -q '"type":"syscall"' "$j"; then
        fail "$name" "fault, mm or syscall events are missing"
    else
        passed=$((passed + 1))
    fi
done
finish
