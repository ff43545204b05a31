#!/usr/bin/env bash
# The memory reports tell the truth.
#
# 1. samples/meminfo_touch, natively and under vmemu: after ten 1 MiB
#    anonymous regions are touched, AnonPages and Committed_AS rose by at
#    least 10 MiB and RssAnon by exactly 10 MiB, and both runs say so.
#    With --mlock (vmemu only: natively other processes and the batching of
#    per-CPU counters move the system-wide figure), after a 60 MiB mlock
#    Mlocked and Unevictable rose by VmLck, and Mlocked falls back after
#    munlock.
# 2. For several samples, vmemu's --report output at exit is consistent:
#    Slab in /proc/meminfo is the pages of every slab in /proc/slabinfo,
#    PageTables is the task's VmPTE and vmstat's nr_page_table_pages, and
#    every frame is accounted for: MemTotal = MemFree + the LRU pages
#    (Active, Inactive, Unevictable) + Slab + PageTables + VmallocUsed + the
#    zero page + the vDSO's three frames ([vvar]'s data page, [vdso]'s two
#    pages of code; kernel image pages in Linux, which no counter shows).
# 3. Every sample passes --check-leaks: after teardown MemFree is what it
#    was before the task was created.
# Samples take the arguments of tests/expected (sample_args), run in the
# scratch directory, and must end with their own exit status (sample_status).
#
# The samples run from a private copy: vmemu's page cache opens the files
# it caches for writing, and a concurrent native run of the same binary
# (samples.sh) would then fail with ETXTBSY.
#
# usage: meminfo.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: meminfo.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
cd "$work" || exit 1

# Natively only the per-process figure is judged (other processes move the
# system-wide ones); under vmemu, the only process, all three are.
expected_native='RssAnon rose by exactly 10 MiB: yes'
expected='AnonPages rose by >= 10 MiB: yes
Committed_AS rose by >= 10 MiB: yes
RssAnon rose by exactly 10 MiB: yes'

# check_touch BINARY: the verdicts, natively and under vmemu.
check_touch() {
    local bin=$1 name
    name=$(basename "$bin")
    "$bin" >"$work/native.out" 2>&1
    local n_st=$?
    "$vmemu" run --quiet "$bin" --system >"$work/vmemu.out" 2>"$work/vmemu.err"
    local v_st=$?
    if [ "$(cat "$work/native.out")" != "$expected_native" ] || [ $n_st != 0 ]; then
        fail "$name natively" "status $n_st, output: $(tr '\n' '|' <"$work/native.out")"
    else
        pass "$name natively"
    fi
    if [ "$(cat "$work/vmemu.out")" != "$expected" ] || [ $v_st != 0 ]; then
        fail "$name under vmemu" "status $v_st, output: $(tr '\n' '|' <"$work/vmemu.out")"
        head -n 5 "$work/vmemu.err" | sed 's/^/    vmemu stderr: /'
    else
        pass "$name under vmemu"
    fi
}

expected_mlock='VmLck: 61440 kB
Mlocked rose by VmLck: yes
Unevictable rose by VmLck: yes
Mlocked back after munlock: yes'

# check_mlock BINARY: meminfo's Mlocked follows the process's VmLck.
check_mlock() {
    local name
    name=$(basename "$1")
    "$vmemu" run --quiet "$1" --mlock >"$work/vmemu.out" 2>"$work/vmemu.err"
    local st=$?
    if [ "$(cat "$work/vmemu.out")" != "$expected_mlock" ] || [ $st != 0 ]; then
        fail "$name --mlock" "status $st, output: $(tr '\n' '|' <"$work/vmemu.out")"
    else
        pass "$name --mlock: Mlocked rose by VmLck (60 MiB)"
    fi
}

# The kB figure of a "Name:  value kB" line in one report section.
# section FILE NAME: the lines of /proc/NAME from a --report dump.
section() {
    awk -v want="==> /proc/$2 <==" '/^==> \/proc\// { on = ($0 == want); next } on' "$1"
}

kb() { # kb SECTION_FILE FIELD
    awk -v f="$2:" '$1 == f { print $2; exit }' "$1"
}

# check_report BINARY ARGS...: the --report figures agree with each other.
check_report() {
    local bin=$1 name
    name=$(basename "$bin")
    shift
    "$vmemu" run --quiet --report=meminfo,slabinfo,vmstat,status "$bin" "$@" \
        >/dev/null 2>"$work/report"
    local st=$? want
    want=$(sample_status "$name")
    if [ "$st" != "$want" ]; then
        fail "$name report" "exit status $st, want $want"
        return
    fi
    section "$work/report" meminfo >"$work/meminfo"
    section "$work/report" slabinfo >"$work/slabinfo"
    section "$work/report" vmstat >"$work/vmstat"
    section "$work/report" self/status >"$work/status"
    local slab slab_sum pt vmpte nrpt total free lru vmalloc accounted
    slab=$(kb "$work/meminfo" Slab)
    # slabdata columns: name ... : slabdata active_slabs num_slabs sharedavail
    slab_sum=$(awk 'NR > 2 { s += $(NF - 1) * $6 * 4 } END { print s + 0 }' "$work/slabinfo")
    pt=$(kb "$work/meminfo" PageTables)
    vmpte=$(kb "$work/status" VmPTE)
    nrpt=$(awk '$1 == "nr_page_table_pages" { print $2 * 4 }' "$work/vmstat")
    total=$(kb "$work/meminfo" MemTotal)
    free=$(kb "$work/meminfo" MemFree)
    lru=$(($(kb "$work/meminfo" Active) + $(kb "$work/meminfo" Inactive) + $(kb "$work/meminfo" Unevictable)))
    vmalloc=$(kb "$work/meminfo" VmallocUsed)
    if [ -z "$slab" ] || [ -z "$pt" ] || [ -z "$vmpte" ] || [ -z "$nrpt" ] || [ -z "$total" ]; then
        fail "$name report" "a report is missing (see below)"
        head -n 20 "$work/report" | sed 's/^/    /'
        return
    fi
    if [ "$slab" != "$slab_sum" ]; then
        fail "$name Slab" "meminfo says $slab kB, slabinfo's slabs hold $slab_sum kB"
    elif [ "$pt" != "$vmpte" ] || [ "$pt" != "$nrpt" ]; then
        fail "$name PageTables" "meminfo $pt kB, VmPTE $vmpte kB, nr_page_table_pages $nrpt kB"
    else
        pass "$name: Slab $slab kB = slabinfo, PageTables $pt kB = VmPTE = vmstat"
    fi
    accounted=$((free + lru + slab + pt + vmalloc + 4 + 12))
    if [ "$accounted" != "$total" ]; then
        fail "$name accounting" "MemTotal $total kB but free + LRU + Slab + PageTables + Vmalloc + zero page + vDSO = $accounted kB"
    else
        pass "$name: MemTotal $total kB = every frame accounted for"
    fi
}

if [ ! -x "$vmemu" ]; then
    echo "FAIL: $vmemu is missing: build it first"
    exit 1
fi
shopt -s nullglob
mkdir -p "$work/samples"
for bin in "$build"/samples/*-musl "$build"/samples/*-glibc; do
    cp "$bin" "$work/samples/" || exit 1
done
touch_bins=("$work"/samples/meminfo_touch-*)
if [ ${#touch_bins[@]} -eq 0 ]; then
    echo "FAIL: no meminfo_touch binaries in $build/samples"
    exit 1
fi
for bin in "${touch_bins[@]}"; do
    check_touch "$bin"
    check_mlock "$bin"
done
for bin in "$work"/samples/*-musl "$work"/samples/*-glibc; do
    name=$(basename "$bin")
    sample_args "$name"
    case $name in
    bad_pointer-*) continue ;; # dies of SIGSEGV: checked below with --check-leaks
    anon_touch-*) check_report "$bin" 1024 ;;
    *) check_report "$bin" "${args[@]}" ;;
    esac
done
for bin in "$work"/samples/*-musl "$work"/samples/*-glibc; do
    name=$(basename "$bin")
    sample_args "$name"
    case $name in anon_touch-*) args=(1024) ;; esac
    "$vmemu" run --quiet --check-leaks "$bin" "${args[@]}" >/dev/null 2>"$work/leak"
    st=$?
    if [ "$st" != "$(sample_status "$name")" ]; then
        fail "$name --check-leaks" "exit status $st, want $(sample_status "$name")"
    elif grep -q '^vmemu: leak check: every frame came back' "$work/leak"; then
        pass "$name --check-leaks"
    else
        fail "$name --check-leaks" "$(grep 'leak check' "$work/leak" || echo 'no verdict')"
    fi
done

finish
