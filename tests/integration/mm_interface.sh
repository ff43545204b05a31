#!/usr/bin/env bash
# mm/'s interface stays closed: outside mm/ (emu/ and loader/), no file
#   - includes mm/internal.h, which is mm's own;
#   - reads or writes PTE bits (_PAGE_*, PTE_PFN_MASK) instead of using the
#     accessors of mm/pgtable.h (pte_write, pte_mkold, ...);
#   - touches a global variable mm/ declares in its headers (every
#     `extern` object of mm/*.h, found here, not listed by hand), nor the
#     zones' fields behind them.
# And mm/ itself never names the emulator (its headers, types or the word
# in a comment): it reaches the CPU only through the hooks of mm/arch.h.
# docs/architecture.md says what emu/ may call instead.
#
# usage: mm_interface.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: mm_interface.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

cd "$src" || exit 1
outside=(emu loader)

# Every object mm/ headers declare extern (not functions): "extern TYPE *NAME;" or "NAME[...]".
globals=$(grep -hE '^extern [^(]*;' mm/*.h | sed -E 's/\[.*//; s/;.*//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' | sort -u)
[ -n "$globals" ] || fail "globals" "no extern object found in mm/*.h: the check would check nothing"

check() {
    local what=$1 pattern=$2 hits
    hits=$(grep -rnP --include='*.c' --include='*.h' "$pattern" "${where[@]:-${outside[@]}}")
    if [ -n "$hits" ]; then
        fail "$what" "$(head -n 5 <<<"$hits" | tr '\n' ';')"
    else
        pass "$what"
    fi
}

check "no mm/internal.h outside mm/" '#include "mm/internal\.h"'
check "no raw PTE bits outside mm/" '\b(_PAGE_[A-Z]+|PTE_PFN_MASK)\b'
check "no zone fields outside mm/" '\bnode_zones\b'
for g in $globals; do
    # A struct tag of the same name (struct kmem_cache) is a type, not the global.
    check "no use of mm's global $g" "(?<!struct )\\b$g\\b(?!\\s*\\()"
done
where=(mm)
check "mm/ never names the emulator" '(?i)unicorn|\buc_[a-z]+\(|\bqemu\b'
finish
