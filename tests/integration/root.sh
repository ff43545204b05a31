#!/usr/bin/env bash
# --root DIR confines the guest to DIR, as chroot does. A tree is made with
# the probe in it, a file outside it, and links meant to lead out (to /, to
# many "..", a loop); every way out must end inside DIR:
#
# - absolute paths, "..", "/../../..", links to / and to ../../.., and
#   /proc/1000/root and /proc/self/cwd followed by ".." all find only
#   DIR's own files (the outside file is ENOENT);
# - chdir("..") stops at DIR, getcwd says "/", readlink of
#   /proc/self/root is "/", /proc/self/exe is the program's path in DIR;
# - PROGRAM is found in DIR; a program outside it is not found (127);
# - the working directory starts at vmemu's own when that is in DIR;
# - what the guest creates appears in DIR;
# - a --root that is not a directory is refused.
#
# usage: root.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: root.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-20}
probe="$build/samples/path_probe-musl"
require "$vmemu" "$probe"

root="$work/root"
outside="$work/outside"
mkdir -p "$root/bin" "$root/etc" "$root/sub/deeper" "$root/tmp"
cp "$probe" "$root/bin/probe"
echo "inside the root" >"$root/etc/hostname"
echo "OUTSIDE" >"$outside"
ln -s / "$root/up"
ln -s ../../../../../../../.. "$root/sub/deeper/rel"
ln -s /../../../.. "$root/abs"
ln -s loop "$root/loop"
ln -s "$work" "$root/hostpath" # an absolute host path: inside the root it names nothing

# run_in ARGS...: the probe under --root, its output on stdout.
run_in() {
    timeout "$timeout_s" "$vmemu" run --quiet --root "$root" /bin/probe "$@" 2>"$work/err"
}

# expect LABEL WANT OP ARGS...: one probe operation in the root prints WANT.
expect() {
    local label=$1 want=$2
    shift 2
    expect_run "$label" "$want" timeout "$timeout_s" "$vmemu" run --quiet --root "$root" \
        /bin/probe "$@"
}

expect "the root's own file" "ok inside the root" open /etc/hostname
for way in "$outside" "/../../../..$outside" "/up$outside" "/up/up/..$outside" \
    "/sub/deeper/rel$outside" "/abs$outside" "/hostpath/outside" "/proc/1000/root/..$outside" \
    "/proc/self/root/../..$outside" "/proc/self/cwd/../../..$outside" \
    "/proc/self/fd/../../../..$outside" "/dev/..$outside" "/proc/..$outside"; do
    expect "$way" ENOENT open "$way"
done
expect "a link loop" ELOOP open /loop
expect "readlink /up (its text, as stored)" "ok /" readlink /up
expect "readlink /proc/self/root" "ok /" readlink /proc/self/root
expect "readlink /proc/self/exe" "ok /bin/probe" readlink /proc/self/exe
expect "ls /proc/1000/root/.." "ok abs bin etc hostpath loop sub tmp up" ls /proc/1000/root/..
expect "openat(/, ../../..$outside)" ENOENT openat-dir / "../../..$outside"

got=$(run_in chdir /sub/deeper chdir .. chdir .. chdir .. chdir .. cwd open "..$outside" \
    open ../../etc/hostname)
want="chdir /sub/deeper: ok
chdir ..: ok
chdir ..: ok
chdir ..: ok
chdir ..: ok
cwd : ok /
open ..$outside: ENOENT
open ../../etc/hostname: ok inside the root"
if [ "$got" = "$want" ]; then
    pass "chdir .. stops at the root"
else
    fail "chdir .. stops at the root" "got: $(tr '\n' '|' <<<"$got")"
fi

# The program is looked for inside the root.
timeout "$timeout_s" "$vmemu" run --quiet --root "$root" "$probe" cwd >/dev/null 2>"$work/err"
st=$?
if [ "$st" = 127 ] && grep -q 'ENOENT' "$work/err"; then
    pass "a program outside the root: 127, ENOENT"
else
    fail "a program outside the root" "status $st: $(head -n 1 "$work/err")"
fi

# The working directory starts where vmemu runs when the root shows it, else at /.
got=$(cd "$root/sub" && timeout "$timeout_s" "$vmemu" run --quiet --root .. ../bin/probe cwd 2>&1)
if [ "$got" = "cwd : ok /sub" ]; then
    pass "started in DIR/sub: the guest's cwd is /sub"
else
    fail "started in DIR/sub" "got '$got'"
fi
got=$(cd "$work" && timeout "$timeout_s" "$vmemu" run --quiet --root "$root" /bin/probe cwd 2>&1)
if [ "$got" = "cwd : ok /" ]; then
    pass "started outside DIR: the guest's cwd is /"
else
    fail "started outside DIR" "got '$got'"
fi

# What the guest makes lands in the root.
expect "creat /tmp/made" ok creat /tmp/made
if [ -f "$root/tmp/made" ] && [ ! -e /tmp/made-by-vmemu-root-test ]; then
    pass "the file made as /tmp/made is DIR/tmp/made"
else
    fail "creat /tmp/made" "$root/tmp/made does not exist"
fi
got=$(run_in symlink / /tmp/toroot open "/tmp/toroot$outside")
if [ "$got" = "symlink /tmp/toroot: ok
open /tmp/toroot$outside: ENOENT" ]; then
    pass "a link to / made by the guest leads to the root"
else
    fail "a link to / made by the guest" "got: $(tr '\n' '|' <<<"$got")"
fi

# --root must name a directory.
for bad in "$work/no-such-dir" "$outside"; do
    timeout "$timeout_s" "$vmemu" run --quiet --root "$bad" /bin/probe cwd >/dev/null 2>"$work/err"
    st=$?
    if [ "$st" = 2 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -q -- "--root" "$work/err"; then
        pass "--root $(basename "$bad"): refused in one line ($(cat "$work/err"))"
    else
        fail "--root $(basename "$bad")" "status $st: $(head -n 2 "$work/err")"
    fi
done

finish
