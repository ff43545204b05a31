#!/usr/bin/env bash
# The guest sees its own machine only (issue 9's findings, under vmemu):
#
# 1. /proc is vmemu's: every spelling of /proc/self/mem (also through a
#    chdir to /proc and a directory descriptor) reads the guest's memory;
#    /proc/PID/mem of a host process (this shell, init) is ENOENT;
#    readlink /proc/self is the guest pid, 1000; /proc lists the guest's
#    process and vmemu's files only; unknown /proc and /proc/sys names
#    are ENOENT, never the host's.
# 2. No descriptor of vmemu's is reachable: /dev/fd/N and /proc/self/fd/N
#    are ENOENT for every N the guest has not opened (vmemu's guest RAM is
#    its descriptor 3), even when vmemu inherited more descriptors; and
#    every descriptor vmemu holds is close-on-exec.
# 3. /dev is vmemu's and read-only: its list of names is fixed, the host's
#    devices (/dev/mem, disks) do not exist, nothing can be created or
#    removed there; /sys is read-only.
#
# usage: seal.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: seal.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

# A run that escaped could wait on a descriptor of vmemu's: it fails, never hangs.
timeout_s=${VMEMU_TEST_TIMEOUT:-20}

probe="$build/samples/path_probe-musl"
require "$vmemu" "$probe"

# expect LABEL WANT OP ARGS...: one probe operation under vmemu prints WANT.
expect() {
    local label=$1 want=$2
    shift 2
    expect_run "$label" "$want" timeout "$timeout_s" "$vmemu" run --quiet "$probe" "$@"
}

own='ok (this program'"'"'s memory)'
for spelling in /proc/self/mem /proc//self/mem /proc/./self/mem //proc/self/mem \
    /proc/self/../self/mem /proc/1000/mem /proc/thread-self/mem /proc/1000/task/1000/mem; do
    expect "$spelling" "$own" mem "$spelling"
done
got=$(cd / && timeout "$timeout_s" "$vmemu" run --quiet "$probe" chdir /proc mem self/mem openat-dir /proc self/status)
want="chdir /proc: ok
mem self/mem: $own
openat-dir /proc self/status: ok Name:?path_probe-musl"
if [ "$got" = "$want" ]; then
    pass "chdir /proc, then self/mem; openat(/proc fd, self/status)"
else
    fail "chdir /proc, then self/mem" "got: $(tr '\n' '|' <<<"$got")"
fi
for pid in $$ 1 "$PPID"; do
    expect "/proc/$pid/mem (a host process)" ENOENT mem "/proc/$pid/mem"
done
expect "readlink /proc/self" "ok 1000" readlink /proc/self
expect "readlink /proc/thread-self" "ok 1000/task/1000" readlink /proc/thread-self
expect "ls /proc" "ok 1000 buddyinfo kpagecount kpageflags meminfo self slabinfo swaps sys thread-self vmstat zoneinfo" ls /proc
expect "ls /proc/sys/vm" "ok dirty_background_ratio dirty_expire_centisecs drop_caches page-cluster swappiness" ls /proc/sys/vm
for name in /proc/cpuinfo /proc/1/status /proc/sys/kernel/hostname /proc/sys/vm/overcommit_memory \
    /proc/net/dev /proc/self/fdinfo/0; do
    expect "$name" ENOENT open "$name"
done

# Descriptors: vmemu inherits 7 and 9 here; the guest has 0, 1, 2 only.
for n in 3 4 5 7 9 63; do
    got=$(timeout "$timeout_s" "$vmemu" run --quiet "$probe" open "/dev/fd/$n" readlink "/proc/self/fd/$n" \
        mem "/proc/self/fd/$n" 7</dev/null 9>"$work/nine" 2>&1)
    want="open /dev/fd/$n: ENOENT
readlink /proc/self/fd/$n: ENOENT
mem /proc/self/fd/$n: ENOENT"
    if [ "$got" = "$want" ]; then
        pass "/dev/fd/$n and /proc/self/fd/$n: ENOENT"
    else
        fail "/dev/fd/$n and /proc/self/fd/$n" "got: $(tr '\n' '|' <<<"$got")"
    fi
done
expect "ls /proc/self/fd" "ok 0 1 2 3" ls /proc/self/fd

# Close-on-exec: look at vmemu's own descriptors while its guest waits on a
# pipe. Descriptors this script inherited are closed first: only the ones
# vmemu opens itself are judged.
for fd in /proc/$$/fd/*; do
    n=${fd##*/}
    # 255 is bash's own hold on this script (close-on-exec already).
    [ "$n" -gt 2 ] && [ "$n" -lt 255 ] && eval "exec $n>&-" 2>/dev/null
done
fifo="$work/fifo"
mkfifo "$fifo"
"$vmemu" run --quiet --trace=syscall --trace-file="$work/trace" "$probe" open /dev/stdin \
    <"$fifo" >/dev/null 2>&1 &
pid=$!
exec 8>"$fifo" # the guest's read now waits for data
leaky=""
for _ in $(seq 50); do
    [ -e "/proc/$pid/fd/3" ] && break
    sleep 0.1
done
sleep 0.2
count=0
for fd in /proc/"$pid"/fd/*; do
    n=${fd##*/}
    [ "$n" -le 2 ] && continue
    count=$((count + 1))
    flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$pid/fdinfo/$n" 2>/dev/null)
    # O_CLOEXEC is 02000000 in fdinfo's octal flags.
    [ -n "$flags" ] && [ $((0$flags & 02000000)) -eq 0 ] && leaky="$leaky $n($(readlink "$fd"))"
done
exec 8>&-
wait "$pid"
if [ "$count" -eq 0 ]; then
    fail "close-on-exec" "vmemu's descriptors could not be seen"
elif [ -n "$leaky" ]; then
    fail "close-on-exec" "not close-on-exec:$leaky"
else
    pass "close-on-exec: all $count of vmemu's own descriptors"
fi

# /dev and /sys.
devs="fd full null random stderr stdin stdout tty urandom userfaultfd zero"
[ -d /dev/pts ] && devs="fd full null pts random stderr stdin stdout tty urandom userfaultfd zero"
[ -d /dev/shm ] && devs=$(tr ' ' '\n' <<<"$devs shm" | sort | tr '\n' ' ' | sed 's/ $//')
expect "ls /dev" "ok $devs" ls /dev
expect "readlink /dev/fd" "ok /proc/self/fd" readlink /dev/fd
for name in /dev/mem /dev/kmem /dev/port /dev/sda /dev/vda /dev/nvme0n1 /dev/loop0 /dev/kmsg; do
    expect "$name" ENOENT open "$name"
done
expect "creat /dev/new" EROFS creat /dev/new
expect "mkdir /dev/new" EROFS mkdir /dev/new
expect "unlink /dev/null" EROFS unlink /dev/null
expect "symlink in /dev" EROFS symlink /etc/passwd /dev/passwd
expect "open /dev/null for writing" ok openw /dev/null
if [ -d /sys/kernel ]; then
    expect "creat /sys/new" EROFS creat /sys/new
    expect "mkdir /sys/kernel/new" EROFS mkdir /sys/kernel/new
    [ -e /sys/kernel/mm/transparent_hugepage/enabled ] &&
        expect "write /sys/kernel/mm/transparent_hugepage/enabled" EROFS openw \
            /sys/kernel/mm/transparent_hugepage/enabled
fi

finish
