#!/usr/bin/env bash
# The benchmark suite's real programs cannot rot: each case of `make bench`'s
# programs group (Lua, SQLite, zlib, zstd, GMP, busybox awk/sort/grep; built
# in tests/bench/programs) runs once at the smoke run's sizes natively and
# under vmemu, and vmemu's stdout and exit status must equal native's
# (tests/bench/bench.py --check). A correctness test: nothing is timed.
. "${2:?usage: bench_programs.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

progs="$build/tests/bench/programs"
require "$vmemu" "$progs/lua_bench" "$progs/sqlite_bench" "$progs/compress_bench" \
    "$progs/gmp_fact" "$progs/textgen" "$progs/runstat"
TMPDIR=$work python3 "$src/tests/bench/bench.py" --build "$build" --check --only programs \
    >"$work/check.out" 2>"$work/check.err"
st=$?
cat "$work/check.out"
sed 's/^/    bench.py: /' "$work/check.err"
passed=$(grep -c '^PASS ' "$work/check.out")
failed=$(grep -c '^FAIL ' "$work/check.out")
# bench.py's own failure (a missing program, a crash) counts too.
if [ "$st" -ne 0 ] && [ "$failed" -eq 0 ]; then
    fail "bench.py --check" "exit status $st"
fi
# Every case of the group must have been checked.
if [ "$passed" -lt 8 ]; then
    fail "bench.py --check" "only $passed cases passed, 8 expected"
fi
finish
