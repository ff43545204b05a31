#!/usr/bin/env bash
# Data written to a file the writer cannot reopen for writing still reaches
# it: a shell creates a file with umask 0777 (mode 0) and writes to it, as
# an unprivileged user (nobody, when the suite runs as root). Natively the
# descriptor opened at creation writes; vmemu's page cache writes back at
# exit, so it must keep a writable descriptor from that open instead of
# opening the file again (which the mode forbids). The file's bytes and the
# shell's status must be the native ones.
#
# usage: readonly_writeback.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: readonly_writeback.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

busybox=$(command -v busybox) || {
    fail busybox "not installed (.ci/deps.sh installs busybox-static)"
    finish
    exit
}
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    chmod 755 "$work"
fi
script='umask 0777; i=0; while [ $i -lt 2000 ]; do echo "line $i of a file its writer cannot reopen"; i=$((i+1)); done > out; echo done'
for mode in native vmemu; do
    dir="$work/$mode"
    mkdir "$dir"
    [ ${#as_user[@]} -gt 0 ] && chown nobody:nogroup "$dir"
    if [ "$mode" = native ]; then
        (cd "$dir" && "${as_user[@]}" "$busybox" sh -c "$script" >stdout 2>stderr)
    else
        (cd "$dir" && "${as_user[@]}" "$vmemu" run --quiet "$busybox" sh -c "$script" >stdout 2>stderr)
    fi
    echo $? >"$dir/status"
done
if ! cmp -s "$work/native/status" "$work/vmemu/status"; then
    fail status "native $(cat "$work/native/status"), vmemu $(cat "$work/vmemu/status"): $(head -3 "$work/vmemu/stderr")"
elif ! cmp -s "$work/native/out" "$work/vmemu/out"; then
    fail contents "the file differs: $(wc -c <"$work/native/out") bytes natively, $(wc -c <"$work/vmemu/out" 2>/dev/null || echo no file) under vmemu"
else
    pass "a mode-0 file written by an unprivileged shell: $(wc -c <"$work/vmemu/out") bytes, status $(cat "$work/vmemu/status")"
fi
finish
