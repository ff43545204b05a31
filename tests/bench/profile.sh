#!/usr/bin/env bash
# Where the host's time goes when a program runs under vmemu and under
# qemu-x86_64: perf samples of both runs (Debian's linux-perf; software
# clock, so it works in a virtual machine without hardware counters),
# split into the translated guest code ([JIT]), the emulator's block lookup
# for indirect jumps (helper_lookup_tb_ptr), its soft TLB refills
# (tlb_set_page, the fill hook), translating code (tcg_*, gen_*,
# translator), other emulator helpers, vmemu's own code and the host
# kernel, as shares of the samples. qemu-x86_64 is stripped: its block
# lookup (helper_lookup_tb_ptr, the tb_jmp_cache probe) shows as "emulator
# (other)". A diagnosis aid for docs/performance.md, not a benchmark.
#
# usage: tests/bench/profile.sh BUILD_DIR CMD [ARGS...]
set -u
build=${1:?usage: profile.sh BUILD_DIR CMD [ARGS...]}
shift
command -v perf >/dev/null || { echo "profile.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
prog=$(command -v "$1") || { echo "profile.sh: $1 not found" >&2; exit 2; }
shift
set -- "$prog" "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# split DATA: one line of shares by category, each with its CPU time.
split() {
    local n
    n=$(perf script -i "$1" -F ip 2>/dev/null | wc -l)
    perf report -i "$1" --no-children --sort dso,sym -g none -F overhead,dso,sym 2>/dev/null |
        awk -v n="$n" '/%/ {
            p = $1; sub(/%/, "", p); dso = $2; sym = $NF
            if (dso ~ /JIT/) c = "guest code"
            else if (sym ~ /lookup_tb_ptr|tb_htable_lookup|tb_lookup/) c = "block lookup"
            else if (sym ~ /tlb_set_page|fill_tlb|tlb_fill|walk_to_pte|mm_translate|on_tlb_fill|get_page_addr_code|probe_access|victim_tlb|tlb_set_dirty|flatview|address_space_translate|find_memory_mapping/) c = "soft TLB refill"
            else if (sym ~ /^tcg_|^gen_|translator|disas_insn|liveness|^la_/) c = "translation"
            else if (dso ~ /kernel/) c = "host kernel"
            else if (dso ~ /^vmemu/) c = "vmemu (other)"
            else if (sym ~ /^helper_/) c = "helpers"
            else if (dso ~ /unicorn|qemu/) c = "emulator (other)"
            else c = "other"
            s[c] += p; total += p
        } END {
            k = split("guest code,block lookup,soft TLB refill,translation,helpers,emulator (other),vmemu (other),host kernel,other", o, ",")
            printf "%d samples at 1999 Hz (%.2f s):", n, n / 1999
            for (i = 1; i <= k; i++)
                if (s[o[i]] > 0)
                    printf " %s %.1f%% (%.3f s)%s", o[i], 100 * s[o[i]] / total, n / 1999 * s[o[i]] / total, i < k ? "," : ""
            printf "\n"
        }'
}

for side in vmemu qemu; do
    if [ $side = vmemu ]; then run=("$build/vmemu" run --quiet); else run=(qemu-x86_64); fi
    perf record -q -F 1999 -o "$tmp/$side.data" "${run[@]}" "$@" >/dev/null 2>"$tmp/err" ||
        { echo "profile.sh: $side run failed: $(tail -1 "$tmp/err")" >&2; exit 1; }
    echo "$side: $(split "$tmp/$side.data")"
done
