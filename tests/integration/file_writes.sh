#!/usr/bin/env bash
# Nothing a guest writes to a file is lost, whatever path it took.
# samples/file_writes writes one file through write(), pwrite(), a shared
# mapping, ftruncate down and up, writev and pwritev, then ends by exit
# (after fsync), by _exit (no msync, munmap or close) or by SIGSEGV. For
# each ending, musl and glibc builds alike, the file vmemu leaves must be
# byte-identical to the one the same program leaves natively, stdout and
# exit status must agree, and under vmemu the bytes must have reached the
# host file through writeback (the pagecache trace shows the pass), not
# through write() going straight to the host.
#
# usage: file_writes.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: file_writes.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

# run OUT CMD...: run CMD, print its status (the subshell keeps bash's crash notice quiet).
run() {
    local out=$1
    shift
    (
        timeout 60 "$@" >"$out" 2>"$out.err"
        echo $?
    ) 2>/dev/null
}

# Which writeback passes the trace shows: "reason pages" lines.
writebacks() {
    awk '$4 == "writeback" { r = ""; p = 0
            for (i = 5; i <= NF; i++) { if ($i ~ /^reason=/) r = substr($i, 8); if ($i ~ /^pages=/) p = substr($i, 7) }
            print r, p }' "$1"
}

check() {
    local bin=$1 mode=$2 label
    label="$(basename "$bin") $mode"
    local n_st v_st
    n_st=$(run "$work/n.out" setarch "$(uname -m)" -R "$bin" "$work/native.dat" "$mode")
    v_st=$(run "$work/v.out" "$vmemu" run --quiet --trace=pagecache --trace-file="$work/trace" \
        "$bin" "$work/vmemu.dat" "$mode")
    local want_st=0
    [ "$mode" = segv ] && want_st=139
    if [ "$n_st" != "$want_st" ] || [ "$v_st" != "$want_st" ]; then
        fail "$label" "status native $n_st, vmemu $v_st, want $want_st"
        head -n 5 "$work/v.out.err" | sed 's/^/    vmemu stderr: /'
        return
    fi
    if ! cmp -s "$work/n.out" "$work/v.out"; then
        fail "$label" "stdout differs"
        diff "$work/n.out" "$work/v.out" | head -n 10 | sed 's/^/    /'
        return
    fi
    if ! cmp "$work/native.dat" "$work/vmemu.dat"; then
        fail "$label" "the file differs ($(stat -c %s "$work/native.dat") bytes natively, $(stat -c %s "$work/vmemu.dat") under vmemu)"
        return
    fi
    local wb
    wb=$(writebacks "$work/trace" | tr '\n' ' ')
    case $mode in
    exit) want='fsync' ;;
    *) want='exit' ;;
    esac
    if ! grep -q "^$want [1-9]" <(writebacks "$work/trace"); then
        fail "$label" "no $want writeback pass in the trace (passes: $wb)"
        return
    fi
    pass "$label ($(stat -c %s "$work/vmemu.dat") bytes, writeback: $wb)"
}

for bin in "$build"/samples/file_writes-musl "$build"/samples/file_writes-glibc; do
    if [ ! -x "$bin" ]; then
        fail "$(basename "$bin")" "missing: build the samples"
        continue
    fi
    for mode in exit _exit segv; do
        check "$bin" "$mode"
    done
done
finish
