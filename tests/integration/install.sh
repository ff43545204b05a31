#!/usr/bin/env bash
# cmake --install into a temporary prefix gives the GNU layout: bin/vmemu,
# the compressed man page (where man finds it), README, docs and copyright
# in share/doc/vmemu (README's links into docs/ still resolve), every
# sample's source as examples with a Makefile that builds them, and the
# bash completion where bash-completion loads it from. The installed vmemu
# then works with nothing of the source or build tree: the prefix is moved
# after the install, and the runs happen in a mount namespace where both
# trees are hidden under empty file systems, as if moved away: --version,
# a static program built from the installed examples, a dynamically linked
# one (ld.so and the vDSO), and --html, whose report (the embedded assets)
# is byte for byte the build's.
#
# usage: install.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: install.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
require "$vmemu"

case "$work/" in
"$build"/* | "$src"/*)
    fail scratch "$work is inside the trees this test hides"
    finish
    exit
    ;;
esac
stage=$work/stage prefix=$work/prefix
if cmake --install "$build" --prefix "$stage" >"$work/install.log" 2>&1 && mv "$stage" "$prefix"; then
    pass "cmake --install --prefix $stage, then moved to $prefix"
else
    fail install "$(tail -n 3 "$work/install.log")"
    finish
    exit
fi

# --- The installed tree ------------------------------------------------------
doc=$prefix/share/doc/vmemu
missing=()
for f in bin/vmemu share/man/man1/vmemu.1.gz share/bash-completion/completions/vmemu \
    share/doc/vmemu/README.md share/doc/vmemu/copyright share/doc/vmemu/examples/Makefile; do
    [ -f "$prefix/$f" ] || missing+=("$f")
done
for f in "$src"/samples/*.c "$src"/samples/nolibc/*.c; do
    [ -f "$doc/examples/${f#"$src"/samples/}" ] || missing+=("examples/${f#"$src"/samples/}")
done
for f in "$src"/docs/*; do
    [ -f "$doc/docs/${f##*/}" ] || missing+=("docs/${f##*/}")
done
# README's links into docs/ resolve in the installed tree.
for f in $(grep -o '](docs/[^)#]*' "$src/README.md" | sed 's/^](//' | sort -u); do
    [ -f "$doc/$f" ] || missing+=("README's link $f")
done
if [ ${#missing[@]} -eq 0 ] && [ -x "$prefix/bin/vmemu" ]; then
    pass "the tree: bin/vmemu, man1/vmemu.1.gz, the completion, README, docs, copyright, $(find "$doc/examples" -name '*.c' | wc -l) examples"
else
    fail tree "missing: ${missing[*]}"
fi

found=$(man --manpath="$prefix/share/man" -w vmemu 2>/dev/null)
if [ "$found" = "$prefix/share/man/man1/vmemu.1.gz" ] &&
    zcat "$found" | cmp -s - "$src/docs/vmemu.1"; then
    pass "man finds the page in the prefix, and it is docs/vmemu.1"
else
    fail "man page" "man -w says '$found'"
fi

if rpath=$(readelf -d "$prefix/bin/vmemu" | grep -E 'RPATH|RUNPATH') &&
    { [[ $rpath == *"$build"* ]] || [[ $rpath == *"$src"* ]]; }; then
    fail rpath "the installed binary looks for libraries in the trees: $rpath"
else
    pass "no run path into the source or build tree"
fi

# bash-completion loads the file on demand for a vmemu on PATH in the prefix.
loaded=$(PATH="$prefix/bin:$PATH" XDG_DATA_DIRS="$prefix/share" bash --norc -c '
    . /usr/share/bash-completion/bash_completion 2>/dev/null || exit 1
    __load_completion vmemu && complete -p vmemu' 2>&1)
if [ "$loaded" = "complete -F _vmemu vmemu" ]; then
    pass "bash-completion loads share/bash-completion/completions/vmemu"
else
    fail completion "bash-completion did not load it: '$loaded'"
fi

# The examples build from the installed sources (in a writable copy).
cp -r "$doc/examples" "$work/examples"
if make -s -C "$work/examples" hello nolibc/start_regs >"$work/make.log" 2>&1; then
    pass "the examples' Makefile builds hello and nolibc/start_regs"
else
    fail examples "$(tail -n 3 "$work/make.log")"
fi

# --- Runs with the source and build trees hidden -------------------------------
# An ASan build reads its leak suppressions from the source tree: give it a copy.
cp "$src/tests/lsan.supp" "$work/lsan.supp"
export LSAN_OPTIONS="suppressions=$work/lsan.supp:print_suppressions=0"
# hidden CMD...: CMD in a mount namespace where the build and source trees are empty.
hidden() {
    unshare --map-root-user --mount bash -c '
        for d in "$1" "$2"; do
            if [ -d "$d" ]; then mount -t tmpfs -o ro,size=4k hidden "$d" || exit 99; fi
        done
        cd "$3" && shift 3 && exec "$@"' hide "$build" "$src" "$work" "$@"
}
vm="$prefix/bin/vmemu"
# A build folder inside the source tree (make's build/) is hidden with it, and gone.
hidden sh -c 'for d; do if [ -e "$d" ]; then ls -A "$d"; fi; done | grep -c .' sh "$build" "$src" \
    >"$work/seen" 2>&1
if [ "$(cat "$work/seen")" = 0 ]; then
    pass "in the namespace the build and source trees are empty"
else
    fail hide "the trees are still visible ($(head -n 1 "$work/seen")): unshare -rm with tmpfs is needed"
fi

st=0
hidden "$vm" --version >"$work/version" 2>"$work/err" || st=$?
if [ "$st" = 0 ] && "$vmemu" --version | cmp -s - "$work/version"; then
    pass "--version: $(head -n 1 "$work/version")"
else
    fail "--version" "status $st: $(head -n 2 "$work/err")"
fi

st=0
hidden "$vm" run --quiet ./examples/hello a b >"$work/out" 2>"$work/err" || st=$?
if [ "$st" = 0 ] && grep -q '^Hello from an x86-64 program' "$work/out" &&
    grep -q 'argv\[2\] = "b"' "$work/out"; then
    pass "a static program built from the examples runs"
else
    fail "static" "status $st: $(head -n 2 "$work/err")"
fi

st=0
hidden "$vm" run --quiet ./examples/nolibc/start_regs >"$work/out" 2>"$work/err" || st=$?
if [ "$st" = 0 ] && [ -s "$work/out" ]; then
    pass "a program with no C library runs"
else
    fail "nolibc" "status $st: $(head -n 2 "$work/err")"
fi

st=0
hidden "$vm" run --quiet /bin/sh -c 'echo dynamic $((6 * 7))' >"$work/out" 2>"$work/err" || st=$?
if [ "$st" = 0 ] && [ "$(cat "$work/out")" = "dynamic 42" ]; then
    pass "a dynamically linked program (ld.so, the vDSO) runs: /bin/sh"
else
    fail "dynamic" "status $st: $(head -n 2 "$work/err")"
fi

# The same environment and directory for both, so the same run.
st=0
hidden env -i LSAN_OPTIONS="$LSAN_OPTIONS" "$vm" run --quiet --html="$work/hidden.html" \
    ./examples/hello >/dev/null 2>"$work/err" </dev/null || st=$?
(cd "$work" && env -i LSAN_OPTIONS="$LSAN_OPTIONS" "$vmemu" run --quiet --html="$work/build.html" \
    ./examples/hello >/dev/null 2>&1 </dev/null)
if [ "$st" = 0 ] && [ -s "$work/hidden.html" ] && cmp -s "$work/hidden.html" "$work/build.html" &&
    grep -q '<style>' "$work/hidden.html" && grep -q '<script>' "$work/hidden.html"; then
    pass "--html: the report ($(wc -c <"$work/hidden.html") bytes, style and script inlined) is the build's"
else
    fail "--html" "status $st: $(head -n 2 "$work/err")"
fi
finish
