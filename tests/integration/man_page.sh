#!/usr/bin/env bash
# docs/vmemu.1: man(1) formats it without a warning, it describes every
# command and every option `vmemu --help` lists (short forms too) and
# VMEMU_OPTIONS, and `cmake --install` installs it, compressed, in man1.
#
# usage: man_page.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: man_page.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

page="$src/docs/vmemu.1"
require "$vmemu"
if ! command -v man >/dev/null; then
    fail man "man is not installed (.ci/deps.sh installs man-db)"
    finish
    exit
fi

MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$work/page.txt" 2>"$work/warnings"
if [ -s "$work/warnings" ] || [ ! -s "$work/page.txt" ]; then
    fail lint "man --warnings: $(head -3 "$work/warnings")"
else
    pass "man --warnings formats it cleanly ($(wc -l <"$work/page.txt") lines)"
fi

missing=()
for opt in $("$vmemu" --help | grep -oE -- '(^|[ [])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' |
    sort -u); do
    grep -q -- "${opt//-/\\\\-}" "$page" || missing+=("$opt")
done
grep -q '^\.B VMEMU_OPTIONS$' "$page" || missing+=("VMEMU_OPTIONS")
for cmd in run check report; do
    grep -q "^\.B vmemu $cmd" "$page" || missing+=("command $cmd")
done
if [ ${#missing[@]} -eq 0 ]; then
    pass "every command and option of vmemu --help is in the page"
else
    fail options "not in the page: ${missing[*]}"
fi

if cmake --install "$build" --prefix "$work/prefix" --component man >/dev/null &&
    zcat "$work/prefix/share/man/man1/vmemu.1.gz" | cmp -s "$page" -; then
    pass "cmake --install puts it in share/man/man1, compressed"
else
    fail install "cmake --install did not install the page"
fi
finish
