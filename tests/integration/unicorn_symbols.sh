#!/usr/bin/env bash
# No global symbol of vmemu's own code (mm/, loader/, emu/) shares a name
# with one Unicorn defines. Linked statically (cmake/unicorn.cmake), a
# clash either fails the link (when the archive member holding Unicorn's
# definition is taken) or, worse, silently hands Unicorn vmemu's function
# (when the member is not taken); linked shared, vmemu's definition
# interposes the library's exported one. mm/'s page walk was renamed
# mm_translate for this: libunicorn.a defines an mmu_translate (s390x's).
# Unicorn's names: libunicorn.a's defined globals and libunicorn.so's
# exported ones, as pkg-config's libdir holds them.
#
# usage: unicorn_symbols.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: unicorn_symbols.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
require "$vmemu" # and so its objects and the mm and loader archives

libdir=$(pkg-config --variable=libdir unicorn)
{
    [ -f "$libdir/libunicorn.a" ] && nm -g --defined-only "$libdir/libunicorn.a" 2>/dev/null
    [ -e "$libdir/libunicorn.so" ] && nm -D --defined-only "$libdir/libunicorn.so"
} | awk 'NF == 3 { print $3 }' | sed 's/@.*//' | sort -u >"$work/unicorn"

find "$build/CMakeFiles/vmemu.dir" -name '*.o' -print0 |
    xargs -0 nm -g --defined-only "$build/libvmemu_mm.a" "$build/libvmemu_loader.a" 2>/dev/null |
    awk 'NF == 3 { print $3 }' | sort -u >"$work/vmemu"

# The lists are what they claim: Unicorn's API and its s390x walk; mm's walk and vmemu's main.
missing=()
for s in uc_open uc_version mmu_translate; do grep -qx "$s" "$work/unicorn" || missing+=("Unicorn's $s"); done
for s in mm_translate handle_mm_fault main; do grep -qx "$s" "$work/vmemu" || missing+=("vmemu's $s"); done
if [ ${#missing[@]} -eq 0 ]; then
    pass "symbols read: $(wc -l <"$work/unicorn") of Unicorn's, $(wc -l <"$work/vmemu") of vmemu's own code"
else
    fail "symbol lists" "not found: ${missing[*]}"
fi

comm -12 "$work/unicorn" "$work/vmemu" >"$work/both"
if [ ! -s "$work/both" ]; then
    pass "no name is defined by both vmemu and Unicorn"
else
    fail "clash" "defined by both vmemu and Unicorn: $(head -n 5 "$work/both" | tr '\n' ' ')"
fi
finish
