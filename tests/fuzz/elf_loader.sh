#!/usr/bin/env bash
# The ELF loader fuzzer (elf_loader_fuzz.c, libFuzzer, ASan+UBSan). First
# every kept finding in tests/fuzz/elf-regressions/ runs once; then the
# fuzzer mutates a corpus seeded with stripped sample binaries.
#   - in the suite (VMEMU_FUZZ_SECONDS unset or 0): a fixed number of runs
#     from a fixed seed in a fresh corpus, about ten seconds;
#   - `make fuzz` (VMEMU_FUZZ_SECONDS=N): N seconds from a random seed, the
#     corpus kept in BUILD_DIR/fuzz-corpus/elf for the next campaign, any
#     crashing input left in BUILD_DIR/fuzz-findings/.
# Any crash, sanitizer report, leak or timeout fails the test.
#
# usage: elf_loader.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: elf_loader.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

fuzzer="$build/fuzz/elf_loader_fuzz"
seconds=${VMEMU_FUZZ_SECONDS:-0}
if [ ! -x "$fuzzer" ]; then
    fail "elf_loader_fuzz" "$fuzzer is missing: build the sanitizer build (clang is needed)"
    finish
    exit
fi

regressions=("$src"/tests/fuzz/elf-regressions/*)
if [ -e "${regressions[0]}" ]; then
    if "$fuzzer" -timeout=20 "${regressions[@]}" >"$work/regr.log" 2>&1; then
        pass "elf-regressions (${#regressions[@]} kept inputs)"
    else
        fail "elf-regressions" "a kept input fails again"
        grep -E 'ERROR|runtime error|Running|elf_loader_fuzz:' "$work/regr.log" | head -n 20
    fi
fi

# Seeds: the sample binaries, stripped (smaller inputs mutate faster).
seeds="$work/seeds"
mkdir -p "$seeds"
for b in hello-musl start_regs-nolibc hello-pie fp_state-musl; do
    [ -f "$build/samples/$b" ] && strip -o "$seeds/$b" "$build/samples/$b"
done

if [ "$seconds" -gt 0 ]; then
    corpus="$build/fuzz-corpus/elf"
    findings="$build/fuzz-findings"
    mkdir -p "$corpus" "$findings"
    seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    echo "  campaign: ${seconds}s, seed $seed, corpus $corpus"
    limits=(-max_total_time="$seconds" -seed="$seed" -artifact_prefix="$findings/elf-")
    dirs=("$corpus" "$seeds")
else
    corpus="$work/corpus"
    mkdir -p "$corpus"
    limits=(-runs="${VMEMU_FUZZ_RUNS:-100000}" -seed=1 -artifact_prefix="$work/")
    dirs=("$corpus" "$seeds")
fi
st=0
"$fuzzer" "${limits[@]}" -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    "${dirs[@]}" >"$work/fuzz.log" 2>&1 || st=$?
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|cov:' "$work/fuzz.log" | tail -n 4 |
    sed 's/^/  /'
if [ "$st" = 0 ]; then
    pass "elf_loader_fuzz"
else
    fail "elf_loader_fuzz" "status $st"
    grep -E -A 12 'ERROR|runtime error|elf_loader_fuzz:' "$work/fuzz.log" | head -n 30
    for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
        [ -e "$f" ] && cp "$f" "$build/" && echo "  kept $build/$(basename "$f")"
    done
fi
finish
