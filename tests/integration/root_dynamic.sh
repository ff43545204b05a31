#!/usr/bin/env bash
# --root DIR with dynamically linked programs: the interpreter a program's
# PT_INTERP names and the libraries ld.so looks for are found inside DIR,
# never on the host. DIR holds a Debian-like layout (/lib64's ld.so link
# pointing to /lib/x86_64-linux-gnu, libc.so.6 beside it), dash, and a copy
# of samples/hello-glibc-dyn whose interpreter is /rootonly/ld.so, a path
# that exists in DIR only:
#   - the copy runs and prints what the original prints natively;
#   - its maps name the interpreter and libc by their paths in DIR;
#   - dash inside DIR runs it twice (execve of dynamic programs, in DIR);
#   - with libc.so.6 taken out of DIR, ld.so fails as it would in a
#     chroot (status 127, "error while loading shared libraries").
#
# usage: root_dynamic.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: root_dynamic.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-30}
hello="$build/samples/hello-glibc-dyn"
libdir=/lib/x86_64-linux-gnu
require "$vmemu" "$hello" /bin/dash "$libdir/ld-linux-x86-64.so.2"

root="$work/root"
mkdir -p "$root/bin" "$root/lib64" "$root$libdir" "$root/rootonly"
cp "$libdir/ld-linux-x86-64.so.2" "$libdir/libc.so.6" "$root$libdir/"
ln -s "$libdir/ld-linux-x86-64.so.2" "$root/lib64/ld-linux-x86-64.so.2"
cp "$libdir/ld-linux-x86-64.so.2" "$root/rootonly/ld.so"
cp /bin/dash "$root/bin/dash"
# The copy's PT_INTERP, NUL-padded to the original's length.
NEW=/rootonly/ld.so perl -0777 -pe '
    my $old = "/lib64/ld-linux-x86-64.so.2";
    my $new = pack("a" . length($old), $ENV{NEW});
    s/\Q$old\E/$new/ or die "no PT_INTERP to replace\n";' "$hello" >"$root/bin/hello"
chmod +x "$root/bin/hello"

in_root() {
    timeout "$timeout_s" "$vmemu" run --quiet --root "$root" "$@"
}

# Natively the original runs with argv[0] /bin/hello, as the copy gets it.
want=$(setarch "$(uname -m)" -R /bin/bash -c 'exec -a /bin/hello "$0"' "$hello" 2>&1)
got=$(in_root /bin/hello 2>&1)
if [ "$got" = "$want" ]; then
    pass "a program whose interpreter exists only in DIR runs as natively"
else
    fail "hello in DIR" "got '$(head -c 200 <<<"$got")'"
fi

in_root --maps /bin/hello >/dev/null 2>"$work/maps"
if grep -q ' /rootonly/ld.so$' "$work/maps" && grep -q " $libdir/libc.so.6\$" "$work/maps"; then
    pass "maps name /rootonly/ld.so and $libdir/libc.so.6, the files in DIR"
else
    fail "maps in DIR" "$(grep -E 'ld|libc' "$work/maps" | head -n 3)"
fi

got=$(in_root /bin/dash -c '/bin/hello; /bin/hello one' 2>&1)
want=$(
    setarch "$(uname -m)" -R /bin/bash -c 'exec -a /bin/hello "$0"' "$hello"
    setarch "$(uname -m)" -R /bin/bash -c 'exec -a /bin/hello "$0" one' "$hello"
)
if [ "$got" = "$want" ]; then
    pass "dash in DIR runs the dynamic program twice"
else
    fail "dash in DIR" "got '$(head -c 200 <<<"$got")'"
fi

rm "$root$libdir/libc.so.6"
got=$(in_root /bin/hello 2>&1)
st=$?
if [ "$st" = 127 ] && grep -q 'error while loading shared libraries: libc.so.6' <<<"$got"; then
    pass "without libc.so.6 in DIR, ld.so fails as in a chroot (127)"
else
    fail "no libc in DIR" "status $st: $(head -c 200 <<<"$got")"
fi

finish
