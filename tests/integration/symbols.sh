#!/usr/bin/env bash
# Faults name their function and source line: the samples are built with
# -g, so
#  - bad_pointer's death report says where the wild write is
#    (`vmemu: in main+0x.. at bad_pointer.c:LINE`, LINE the line of the
#    write in the source), musl and glibc alike;
#  - phases' fault events name touch() and the line of its write, in text
#    and in JSON Lines;
#  - a static PIE, placed where mmap would put it, is named all the same;
#  - a stripped copy names nothing, and runs as before.
#
# usage: symbols.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: symbols.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

require "$vmemu" "$build/samples/bad_pointer-musl" "$build/samples/phases-musl" "$build/samples/hello-pie"

wild=$(grep -n '\*(volatile int \*)0x10 = 1;' "$src/samples/bad_pointer.c" | cut -d: -f1)
for bin in "$build"/samples/bad_pointer-musl "$build"/samples/bad_pointer-glibc; do
    "$vmemu" run "$bin" >/dev/null 2>"$work/err"
    if grep -Eq "^vmemu: in main\+0x[0-9a-f]+ at bad_pointer.c:$wild\$" "$work/err"; then
        pass "$(basename "$bin"): $(grep '^vmemu: in ' "$work/err")"
    else
        fail "$(basename "$bin")" "the death report does not name main at bad_pointer.c:$wild"
        sed 's/^/    /' "$work/err" | head -5
    fi
done

line=$(grep -n 'p\[i \* PAGE\] = ' "$src/samples/phases.c" | cut -d: -f1)
bin="$build/samples/phases-musl"
"$vmemu" run --quiet --trace=fault --trace-file="$work/text" "$bin" 10 >/dev/null
"$vmemu" run --quiet --trace=fault --trace-format=jsonl --trace-file="$work/json" "$bin" 10 >/dev/null
n_text=$(grep -Ec "anon-new +write 0x[123]0[0-9a-f]{6} .* in touch\+0x[0-9a-f]+ at phases.c:$line " "$work/text")
n_json=$(grep -Ec "\"func\":\"touch\+0x[0-9a-f]+\",\"line\":\"phases.c:$line\",\"addr\":\"0x[123]0" "$work/json")
if [ "$n_text" = 224 ] && [ "$n_json" = 224 ]; then
    pass "phases: the 224 faults of its areas are in touch() at phases.c:$line"
else
    fail phases "$n_text text and $n_json JSON events name touch() at phases.c:$line (want 224)"
    grep -m2 ' 0x10000000 ' "$work/text" | sed 's/^/    /'
fi

"$vmemu" run --quiet --trace=fault --trace-file="$work/pie" "$build/samples/hello-pie" >/dev/null
if grep -Eq '^#[0-9]+ \[1000\] fault file-minor exec 0x7ffff[0-9a-f]+ ip=0x7ffff[0-9a-f]+ \(.*\) in _start( |$)' "$work/pie"; then
    pass "hello-pie: its first instruction is _start, wherever it was placed"
else
    fail hello-pie "the first fault does not name _start"
    grep -m2 'exec' "$work/pie" | sed 's/^/    /'
fi

strip -o "$work/stripped" "$build/samples/bad_pointer-musl"
"$vmemu" run "$work/stripped" >/dev/null 2>"$work/err"
st=$?
if [ $st = 139 ] && ! grep -q '^vmemu: in ' "$work/err" && grep -q 'segfault at 10' "$work/err"; then
    pass "a stripped program: no names, the same death"
else
    fail stripped "status $st; $(grep '^vmemu: in ' "$work/err")"
fi
finish
