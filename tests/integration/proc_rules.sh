#!/usr/bin/env bash
# The /proc reports obey Linux's own rules: figures computed from other
# figures, not compared with an earlier run. tests/programs/proc_dump gives
# itself every kind of page and dumps /proc/self/{smaps,smaps_rollup,statm,status} and
# /proc/{meminfo,zoneinfo,slabinfo}; it runs natively (the host kernel shows
# the rules hold) and under vmemu, and a few samples' --report dumps at exit
# are checked too. The rules:
#
# per process (native and vmemu):
#   smaps, every VMA: Rss = Shared_Clean + Shared_Dirty + Private_Clean +
#     Private_Dirty; Pss <= Rss; Anonymous <= Rss
#   smaps_rollup: Rss, Shared/Private Clean/Dirty and Anonymous are the
#     sums of smaps' over the VMAs; Pss is at least the sum of the VMAs' Pss
#     and less than it plus one kB a VMA (each is rounded down); Pss_Anon +
#     Pss_File + Pss_Shmem is Pss within 2 kB; the header spans the first
#     VMA's start to the last VMA's end (the [vsyscall] gate is no VMA)
#   status: VmRSS = RssAnon + RssFile + RssShmem
#   statm: size, resident and shared (pages) are VmSize, VmRSS and
#     RssFile + RssShmem
# system-wide (native and vmemu):
#   meminfo: Active = Active(anon) + Active(file), Inactive likewise;
#     Slab = SReclaimable + SUnreclaim <= KReclaimable + SUnreclaim
#   slabinfo, every cache: active_objs <= num_objs <= num_slabs * objperslab
#     (equal under vmemu: its slabs of one cache are all of one order, and
#     num_objs counts the objects of every slab, empty ones kept included);
#     active_slabs <= num_slabs
# vmemu only (natively other processes move the system-wide figures between
# two reads, and before Linux 6.16 status's counters were per-CPU estimates):
#   the smaps Rss of all VMAs add up to VmRSS, their Anonymous to RssAnon
#   MemAvailable is si_mem_available's: free - totalreserve + pagecache -
#     min(pagecache / 2, low) + reclaimable - min(reclaimable / 2, low), with
#     low the zones' low watermarks, totalreserve the zones' high watermarks
#     plus their largest protection (lowmem_reserve), each at most the zone's
#     managed pages, pagecache the file LRU pages, reclaimable KReclaimable
#   MemFree, Active(file), Inactive(file), Active(anon), Inactive(anon) are
#     zoneinfo's per-zone free pages and per-node LRU counts
#
# usage: proc_rules.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: proc_rules.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
cd "$work" || exit 1

# check_dump LABEL FILE EXACT: the rules on one dump ("==> /proc/X <==" sections).
check_dump() {
    local label=$1 file=$2 exact=$3 verdict
    verdict=$(awk -v exact="$exact" '
        function bad(msg) { if (!err) err = msg }
        function rollup_rules(   split3) {
            if (rollup_range != first "-" last) bad("smaps_rollup spans " rollup_range ", the VMAs " first "-" last)
            if (ru["Rss"] != sum_rss || ru["Anonymous"] != sum_anon || ru["Shared_Clean"] != sum_sc ||
                ru["Shared_Dirty"] != sum_sd || ru["Private_Clean"] != sum_pc || ru["Private_Dirty"] != sum_pd)
                bad("smaps_rollup Rss/Anonymous/Shared/Private " ru["Rss"] "/" ru["Anonymous"] "/" ru["Shared_Clean"] "/" ru["Shared_Dirty"] "/" ru["Private_Clean"] "/" ru["Private_Dirty"] " kB, smaps sums " sum_rss "/" sum_anon "/" sum_sc "/" sum_sd "/" sum_pc "/" sum_pd)
            if (ru["Pss"] < sum_pss || ru["Pss"] >= sum_pss + vmas) bad("smaps_rollup Pss " ru["Pss"] " kB, the VMAs add up to " sum_pss)
            split3 = ru["Pss_Anon"] + ru["Pss_File"] + ru["Pss_Shmem"]
            if (split3 > ru["Pss"] || split3 < ru["Pss"] - 2) bad("smaps_rollup Pss_Anon + Pss_File + Pss_Shmem " split3 " kB, Pss " ru["Pss"])
        }
        function vma_done() {
            if (!vma) return
            if (rss != sc + sd + pc + pd) bad("smaps " vma ": Rss " rss " != Shared/Private Clean/Dirty " sc + sd + pc + pd)
            if (pss > rss) bad("smaps " vma ": Pss " pss " > Rss " rss)
            if (anon > rss) bad("smaps " vma ": Anonymous " anon " > Rss " rss)
            sum_rss += rss; sum_anon += anon; vmas++
            sum_pss += pss; sum_sc += sc; sum_sd += sd; sum_pc += pc; sum_pd += pd
            split(vma, range, "-")
            if (range[1] != "ffffffffff600000") { if (first == "") first = range[1]; last = range[2] }
            vma = ""
        }
        /^==> \/proc\// { vma_done(); sec = $2; next }
        sec == "/proc/self/smaps" && /^[0-9a-f]+-[0-9a-f]+ / { vma_done(); vma = $1; rss = pss = sc = sd = pc = pd = anon = 0; next }
        sec == "/proc/self/smaps" && vma {
            if ($1 == "Rss:") rss = $2; else if ($1 == "Pss:") pss = $2
            else if ($1 == "Shared_Clean:") sc = $2; else if ($1 == "Shared_Dirty:") sd = $2
            else if ($1 == "Private_Clean:") pc = $2; else if ($1 == "Private_Dirty:") pd = $2
            else if ($1 == "Anonymous:") anon = $2
            next
        }
        sec == "/proc/self/smaps_rollup" && /\[rollup\]$/ { rollup_range = $1; next }
        sec == "/proc/self/smaps_rollup" { sub(/:$/, "", $1); ru[$1] = $2; next }
        sec == "/proc/self/statm" { st_size = $1; st_res = $2; st_shared = $3; have_statm = 1; next }
        sec == "/proc/self/status" { sub(/:$/, "", $1); status[$1] = $2; next }
        sec == "/proc/meminfo" { sub(/:$/, "", $1); mi[$1] = $2; next }
        sec == "/proc/zoneinfo" {
            if ($1 == "Node") { zone = $4; zones[zone] = 1 }
            else if ($1 == "pages" && $2 == "free") zfree[zone] = $3
            else if ($1 == "low" || $1 == "high" || $1 == "managed") z[zone, $1] = $2
            else if ($1 == "protection:") {
                line = $0; gsub(/[^0-9,]/, "", line); n = split(line, p, ",")
                pmax = 0; for (i = 1; i <= n; i++) if (p[i] + 0 > pmax) pmax = p[i] + 0
                z[zone, "protection"] = pmax
            } else if ($1 ~ /^nr_(in)?active_(anon|file)$/ && !($1 in node)) node[$1] = $2
            next
        }
        sec == "/proc/slabinfo" && NF >= 16 && $1 !~ /^#/ && $1 != "slabinfo" {
            name = $1; active = $2; num = $3; per = $5; aslabs = $(NF - 2); nslabs = $(NF - 1)
            if (active > num) bad("slabinfo " name ": active_objs " active " > num_objs " num)
            if (num > nslabs * per) bad("slabinfo " name ": num_objs " num " > num_slabs * objperslab " nslabs * per)
            if (exact && num != nslabs * per) bad("slabinfo " name ": num_objs " num " != num_slabs * objperslab " nslabs * per)
            if (aslabs > nslabs) bad("slabinfo " name ": active_slabs " aslabs " > num_slabs " nslabs)
            caches++
            next
        }
        END {
            vma_done()
            if (!vmas || !have_statm || !("VmRSS" in status) || !("MemTotal" in mi)) { print "a section is missing"; exit }
            if (rollup_range != "") rollup_rules()
            if (status["VmRSS"] != status["RssAnon"] + status["RssFile"] + status["RssShmem"])
                bad("VmRSS " status["VmRSS"] " != RssAnon + RssFile + RssShmem")
            if (exact && sum_rss != status["VmRSS"]) bad("smaps Rss adds up to " sum_rss " kB, VmRSS is " status["VmRSS"])
            if (exact && sum_anon != status["RssAnon"]) bad("smaps Anonymous adds up to " sum_anon " kB, RssAnon is " status["RssAnon"])
            if (st_size * 4 != status["VmSize"]) bad("statm size " st_size " pages, VmSize " status["VmSize"] " kB")
            if (st_res * 4 != status["VmRSS"]) bad("statm resident " st_res " pages, VmRSS " status["VmRSS"] " kB")
            if (st_shared * 4 != status["RssFile"] + status["RssShmem"]) bad("statm shared " st_shared " pages, RssFile + RssShmem " status["RssFile"] + status["RssShmem"] " kB")
            if (mi["Active"] != mi["Active(anon)"] + mi["Active(file)"]) bad("Active " mi["Active"] " != Active(anon) + Active(file)")
            if (mi["Inactive"] != mi["Inactive(anon)"] + mi["Inactive(file)"]) bad("Inactive " mi["Inactive"] " != Inactive(anon) + Inactive(file)")
            if (mi["Slab"] != mi["SReclaimable"] + mi["SUnreclaim"]) bad("Slab != SReclaimable + SUnreclaim")
            if (mi["KReclaimable"] < mi["SReclaimable"]) bad("KReclaimable < SReclaimable")
            if (exact) {
                if (!caches) bad("no slabinfo")
                free = low = reserve = 0
                for (zn in zones) {
                    free += zfree[zn]; low += z[zn, "low"]
                    r = z[zn, "high"] + z[zn, "protection"]
                    reserve += r < z[zn, "managed"] ? r : z[zn, "managed"]
                }
                if (free * 4 != mi["MemFree"]) bad("MemFree " mi["MemFree"] " kB, zoneinfo free pages " free)
                split("Active(file) nr_active_file Inactive(file) nr_inactive_file Active(anon) nr_active_anon Inactive(anon) nr_inactive_anon", pairs, " ")
                for (i = 1; i <= 8; i += 2)
                    if (mi[pairs[i]] != node[pairs[i + 1]] * 4) bad(pairs[i] " " mi[pairs[i]] " kB, zoneinfo " pairs[i + 1] " " node[pairs[i + 1]])
                avail = mi["MemFree"] / 4 - reserve
                pc = (mi["Active(file)"] + mi["Inactive(file)"]) / 4
                half = int(pc / 2); pc -= half < low ? half : low
                rc = mi["KReclaimable"] / 4
                half = int(rc / 2); rc -= half < low ? half : low
                avail += pc + rc
                if (avail < 0) avail = 0
                if (avail * 4 != mi["MemAvailable"]) bad("MemAvailable " mi["MemAvailable"] " kB, si_mem_available gives " avail * 4 " kB (reserve " reserve ", low " low " pages)")
            }
            if (err) print err
            else print "ok: " vmas " VMAs, " caches + 0 " slab caches, VmRSS " status["VmRSS"] " kB, MemAvailable " mi["MemAvailable"] " kB"
        }' "$file")
    case $verdict in
    ok:*) pass "$label ${verdict#ok: }" ;;
    *) fail "$label" "$verdict" ;;
    esac
}

require "$vmemu" "$build/tests/programs/proc_dump-musl" "$build/tests/programs/proc_dump-glibc"
for libc in musl glibc; do
    bin="$build/tests/programs/proc_dump-$libc"
    "$bin" . >"$work/native.txt" 2>"$work/native.err"
    st=$?
    if [ "$st" != 0 ]; then
        fail "proc_dump-$libc natively" "status $st: $(head -n 2 "$work/native.err")"
    else
        check_dump "proc_dump-$libc natively:" "$work/native.txt" 0
    fi
    "$vmemu" run --quiet "$bin" . >"$work/vmemu.txt" 2>"$work/vmemu.err"
    st=$?
    if [ "$st" != 0 ]; then
        fail "proc_dump-$libc under vmemu" "status $st: $(head -n 2 "$work/vmemu.err")"
    else
        check_dump "proc_dump-$libc under vmemu:" "$work/vmemu.txt" 1
    fi
done

# Samples' memory at exit, as --report prints it (the process's last moment).
for name in fork_cow-musl shared_frame-glibc shmem_touch-musl maps_script-musl malloc_heavy-musl; do
    bin="$build/samples/$name"
    sample_args "$name"
    "$vmemu" run --quiet --report=self/smaps,self/statm,self/status,meminfo,zoneinfo,slabinfo \
        "$bin" "${args[@]}" >/dev/null 2>"$work/report"
    st=$?
    if [ "$st" != 0 ]; then
        fail "$name --report" "status $st: $(grep -v '^==>' "$work/report" | head -n 2)"
    else
        check_dump "$name --report:" "$work/report" 1
    fi
done
finish
