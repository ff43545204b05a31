#!/usr/bin/env bash
# A real program: Debian's static busybox (busybox-static, installed by
# .ci/deps.sh) runs a few dozen applets on this repository's files, natively
# (ASLR off) and under vmemu; stdout and exit status must be the same.
# Applets whose output names the machine (uname, ps, date) are left out;
# vmemu runs with --realtime, since ls -l judges file times against the clock.
#
# usage: busybox.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: busybox.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

bb=/bin/busybox
if [ ! -x "$bb" ]; then
    fail busybox "$bb is missing: .ci/deps.sh installs busybox-static"
    finish
    exit 1
fi
cd "$src" || exit 1

# Each line: the applet and its arguments, run with $src as the directory.
applets=$(cat <<'LIST'
echo hello world
ls mm
ls -la docs
sha256sum README.md docs/architecture.md
md5sum mm/memory.c
sort -r mm/list.h
wc -l mm/memory.c mm/mmap.c
awk -F( /^[a-z].*\(/{n++}END{print n} mm/memory.c
sed -n 1,5p mm/page.h
grep -c struct mm/mm_types.h
xxd -l 64 README.md
od -An -tx1 -N 32 Makefile
base64 .clang-format
cut -d: -f1 .clang-format
head -n 3 CMakeLists.txt
tail -n 3 CMakeLists.txt
uniq -c .gitignore
seq 5 2 20
expr 6 * 7
printf %s-%d\n abc 42
basename /work/main/mm/memory.c .c
find docs -name *.md
du -s mm
cmp README.md README.md
diff mm/vma_tree.h mm/vma_tree.h
stat -c %s README.md
gzip -c README.md
bzip2 -c README.md
tar cf - docs
true
false
LIST
)

while IFS= read -r line; do
    # shellcheck disable=SC2086 # the words are the applet's arguments
    set -- $line
    setarch "$(uname -m)" -R "$bb" "$@" >"$work/n.out" 2>/dev/null </dev/null
    n_st=$?
    "$vmemu" run --quiet --realtime "$bb" "$@" >"$work/v.out" 2>"$work/v.err" </dev/null
    v_st=$?
    if [ "$n_st" != "$v_st" ]; then
        fail "busybox $line" "status native $n_st, vmemu $v_st: $(head -n 2 "$work/v.err")"
    elif ! cmp -s "$work/n.out" "$work/v.out"; then
        fail "busybox $line" "stdout differs ($(wc -c <"$work/n.out") bytes natively, $(wc -c <"$work/v.out") under vmemu)"
    else
        pass "busybox $line ($(wc -c <"$work/v.out") bytes, status $v_st)"
    fi
done <<<"$applets"
finish
