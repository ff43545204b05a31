#!/usr/bin/env bash
# The vDSO: every program finds vmemu's vDSO at AT_SYSINFO_EHDR and its
# C library reads the clocks there, without a system call, on the virtual
# clock.
#   - samples/vdso_clock (static and dynamic, glibc and musl) gives the
#     same verdicts natively and under vmemu (the symbols and their
#     version, the clocks moving forward across vDSO and system-call reads);
#   - in its raw mode it reads the clocks alternately through the vDSO and
#     with the system call: the trace holds exactly its two explicit
#     clock_gettime calls (nothing else reaches the kernel for the time),
#     and every read sees the virtual clock one step (1 us) further, from
#     2026-01-01 00:00:00 UTC, through either path;
#   - with --realtime the vDSO gives the host's time;
#   - [vvar] and [vdso] sit where Linux puts them, and the vDSO's page is
#     one frame for every process.
#
# usage: vdso.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: vdso.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

epoch=1767225600000000000 # 2026-01-01 00:00:00 UTC in ns
step=1000                 # what one clock query costs on the virtual clock
bins=()
for v in musl glibc musl-dyn glibc-dyn; do
    bins+=("$build/samples/vdso_clock-$v")
done
require "$vmemu" "${bins[@]}"

# raw LINE: the value of the line "PATH CLOCK VALUE" in $work/raw.
value() {
    awk -v p="$1" -v c="$2" '$1 == p && $2 == c { print $3; exit }' "$work/raw"
}

check_raw() {
    local bin=$1 name
    name=$(basename "$bin")
    if ! "$vmemu" run --quiet --trace=syscall --trace-file="$work/trace" "$bin" raw >"$work/raw" 2>"$work/err"; then
        fail "$name raw" "vmemu failed: $(head -n 2 "$work/err")"
        return
    fi
    local time_calls
    time_calls=$(grep -cE '\] syscall (clock_gettime|gettimeofday|time|clock_getres|getcpu)\(' "$work/trace")
    if [ "$time_calls" != 2 ]; then
        fail "$name raw" "$time_calls time system calls traced, expected the 2 explicit ones"
        grep -E 'syscall (clock_gettime|gettimeofday|time)\(' "$work/trace" | head -n 4 | sed 's/^/    /'
        return
    fi
    # Consecutive reads, whichever path, are one step apart on one clock.
    local r0 want got
    r0=$(awk '$1 == "vdso" && $2 == "REALTIME" { print $3; exit }' "$work/raw")
    if [ -z "$r0" ] || [ $((r0 - epoch)) -lt 0 ] || [ $((r0 - epoch)) -gt 1000000 ] || [ $(((r0 - epoch) % step)) != 0 ]; then
        fail "$name raw" "first REALTIME read $r0 is not the virtual clock's start"
        return
    fi
    want=$(printf '%s\n' \
        "vdso REALTIME $r0" "syscall REALTIME $((r0 + step))" "vdso REALTIME $((r0 + 2 * step))" \
        "vdso MONOTONIC $((r0 + 3 * step - epoch))" "syscall MONOTONIC $((r0 + 4 * step - epoch))" \
        "vdso BOOTTIME $((r0 + 5 * step - epoch))" \
        "vdso MONOTONIC_COARSE $(((r0 + 6 * step - epoch) / 4000000 * 4000000))" \
        "vdso gettimeofday $(((r0 + 7 * step) / 1000 * 1000))" \
        "vdso time $(((r0 + 8 * step) / 1000000000 * 1000000000))")
    got=$(cat "$work/raw")
    if [ "$got" = "$want" ]; then
        pass "$name: no time system call, every read one step further on the virtual clock"
    else
        fail "$name raw" "values differ from the virtual clock's"
        diff <(echo "$want") <(echo "$got") | head -n 8 | sed 's/^/    /'
    fi
}

for bin in "${bins[@]}"; do
    name=$(basename "$bin")
    setarch "$(uname -m)" -R "$bin" >"$work/n.out" 2>&1
    "$vmemu" run --quiet "$bin" >"$work/v.out" 2>&1
    if cmp -s "$work/n.out" "$work/v.out" && ! grep -q ': no$' "$work/v.out"; then
        pass "$name: the same verdicts as natively ($(wc -l <"$work/v.out") lines)"
    else
        fail "$name" "verdicts differ (< native, > vmemu)"
        diff "$work/n.out" "$work/v.out" | head -n 6 | sed 's/^/    /'
    fi
    check_raw "$bin"
done

# --realtime: the vDSO reads the host's clock.
bin="$build/samples/vdso_clock-glibc-dyn"
host=$(date +%s)
"$vmemu" run --quiet --realtime "$bin" raw >"$work/raw" 2>&1
got=$(value vdso REALTIME)
if [ -n "$got" ] && [ $((got / 1000000000 - host)) -ge -5 ] && [ $((got / 1000000000 - host)) -le 5 ]; then
    pass "--realtime: the vDSO reads the host's time"
else
    fail "--realtime" "the vDSO read $got, the host's time is ${host}s"
fi

# The vDSO's place, and its one frame in every process (bash runs date in a child, then execs it).
"$vmemu" run --quiet --maps "$build/samples/hello-glibc-dyn" >/dev/null 2>"$work/maps"
vvar=$(grep -E ' \[vvar\]$' "$work/maps" | cut -d' ' -f1)
vdso=$(grep -E ' \[vdso\]$' "$work/maps" | cut -d' ' -f1)
if [ "$vvar" = "7ffff7fc2000-7ffff7fc6000" ] && [ "$vdso" = "7ffff7fc8000-7ffff7fca000" ]; then
    pass "[vvar] and [vdso] right below ld.so, where Linux 6.x puts them"
else
    fail "vDSO placement" "[vvar] $vvar, [vdso] $vdso"
fi
"$vmemu" run --quiet --trace=fault --trace-file="$work/ftrace" /bin/bash -c '/bin/date; /bin/date' >/dev/null 2>&1
frames=$(grep -E ' vma=[0-9a-f]+-[0-9a-f]+ r-xp \[vdso\] ' "$work/ftrace" | grep -oE '\[[0-9]+\]|pfn=0x[0-9a-f]+' | paste -d' ' - - | sort -u)
if [ "$(awk '{ print $1 }' <<<"$frames" | sort -u | wc -l)" -ge 2 ] &&
    [ "$(awk '{ print $2 }' <<<"$frames" | sort -u | wc -l)" = 1 ]; then
    pass "the vDSO's page: one frame in every process ($(tr '\n' ' ' <<<"$frames"))"
else
    fail "vDSO frame" "faults on [vdso] by pid and frame: $(tr '\n' ' ' <<<"$frames")"
fi

finish
