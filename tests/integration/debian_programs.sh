#!/usr/bin/env bash
# Debian's own dynamically linked programs (ld.so, libc.so.6 and the
# libraries each needs, locale and gconv data, tzdata, Python's and Perl's
# C extensions) run under vmemu as they run natively: each case runs once
# natively with ASLR off and once under `vmemu run --quiet`, in the same
# small environment (LANG=C.UTF-8, TZ=UTC), on files made here with fixed
# times, and stdout and the exit status must be the same, with no
# "unimplemented system call" line. Cases that write (cp, tar, gzip,
# sqlite3) write into separate native and vmemu directories, whose results
# are then compared. The clock is the one thing that differs: vmemu's
# virtual clock starts at 2026-01-01 00:00:00 UTC, which date must print,
# in UTC and in New York's zone.
#
# usage: debian_programs.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: debian_programs.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-120}
python=/usr/bin/python3
require "$vmemu" /bin/ls /usr/bin/sort /usr/bin/sha256sum /usr/bin/wc /usr/bin/head \
    /usr/bin/tail /bin/cp /bin/date /bin/grep /bin/sed /usr/bin/mawk /usr/bin/find /bin/tar \
    /bin/gzip "$python" /usr/bin/perl /usr/bin/sqlite3 /bin/bash

# The environment both runs get, plus the sanitizers' options of an ASan
# build (vmemu hands its environment to the program: the native run gets
# them too).
run_env=(PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC HOME="$work")
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
    [ -n "${!v:-}" ] && run_env+=("$v=${!v}")
done

# The input files, with fixed contents, modes and times.
data=$work/data
mkdir -p "$data/sub/deeper"
seq 1 2000 | awk '{ printf "%s line %05d %s\n", ($1 * 7919) % 2000, $1, substr("abcdefghij", $1 % 10 + 1, 3) }' >"$data/lines.txt"
printf 'zèbre\nÉcole\nécole\nZoo\nabc\nÄpfel\n' >"$data/words.txt"
printf 'hello world\n' >"$data/sub/hello.txt"
printf '#!/bin/sh\necho hi\n' >"$data/sub/deeper/script.sh"
ln -s ../lines.txt "$data/sub/link"
chmod 755 "$data/sub/deeper/script.sh"
chmod 640 "$data/words.txt"
cat >"$work/prog.py" <<'PY'
import hashlib, json, re, sys
import _decimal, _hashlib  # C extensions in lib-dynload (the second links OpenSSL)
rows = [{"n": i, "sq": i * i, "word": w} for i, w in enumerate(re.findall(r"\w+", open(sys.argv[1]).read()))]
text = json.dumps(rows[:50], sort_keys=True)
print(len(rows), hashlib.sha256(text.encode()).hexdigest(), hashlib.md5(text.encode()).hexdigest())
print(json.loads(text)[7], re.sub(r"(\d+) line", r"<\1>", open(sys.argv[1]).readline().strip()))
print(_decimal.Decimal(1) / _decimal.Decimal(7), _decimal.__file__.endswith(".so"), _hashlib.__file__.endswith(".so"))
PY
cat >"$work/prog.pl" <<'PL'
use strict; use warnings; use POSIX qw(floor strftime); use Digest::MD5 qw(md5_hex); use List::Util qw(sum);
my %count; my @n;
open(my $f, '<', $ARGV[0]) or die; while (<$f>) { my @w = split; $count{$w[3]}++; push @n, $w[0]; } close $f;
print join(",", map { "$_=$count{$_}" } sort keys %count), "\n";
printf "%d %.3f %s %s\n", sum(@n), floor(sum(@n) / 7) / 3, md5_hex(join("", @n)), strftime("%Y-%m-%d", gmtime(86400 * 365));
PL
touch -h -d '2020-01-02 03:04:05 UTC' "$data/sub/link"
find "$data" "$work/prog.py" "$work/prog.pl" ! -type l -exec touch -d '2020-01-02 03:04:05 UTC' {} +

# run OUT ERR CMD...: under the environment and a time limit, in $data; prints the status.
run() {
    local out=$1 err=$2
    shift 2
    (
        cd "$data" && env -i "${run_env[@]}" timeout "$timeout_s" "$@" >"$out" 2>"$err" </dev/null
        echo $?
    ) 2>/dev/null
}

# same LABEL CMD...: native and vmemu runs of CMD agree (stdout and status).
same() {
    local label=$1 n_st v_st
    shift
    n_st=$(run "$work/n.out" "$work/n.err" setarch "$(uname -m)" -R "$@")
    v_st=$(run "$work/v.out" "$work/v.err" "$vmemu" run --quiet "$@")
    if [ "$n_st" != "$v_st" ]; then
        fail "$label" "status native $n_st, vmemu $v_st"
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
    elif ! cmp -s "$work/n.out" "$work/v.out"; then
        fail "$label" "stdout differs (< native, > vmemu)"
        diff "$work/n.out" "$work/v.out" | head -n 10 | sed 's/^/    /'
        sed 's/^/    vmemu stderr: /' "$work/v.err" | head -n 5
    elif grep -q 'unimplemented system call' "$work/v.err"; then
        fail "$label" "$(grep -m1 'unimplemented system call' "$work/v.err")"
    else
        pass "$label ($(wc -c <"$work/v.out") bytes, status $v_st)"
    fi
}

same "ls -la" /bin/ls -la --time-style=full-iso sub sub/deeper
same "ls -lR" /bin/ls -lRn sub
same "sort" /usr/bin/sort -k1,1n -k3 lines.txt
same "sort, locale order" /usr/bin/sort words.txt
same "sort -u -r" /usr/bin/sort -u -r -t' ' -k3,3 lines.txt
same "sha256sum" /usr/bin/sha256sum lines.txt words.txt sub/hello.txt
same "wc" /usr/bin/wc lines.txt words.txt
same "wc -m (UTF-8)" /usr/bin/wc -m words.txt
same "head" /usr/bin/head -n 7 lines.txt
same "tail" /usr/bin/tail -c 100 lines.txt
same "grep -E" /bin/grep -E -n '^1[0-9]{2} line .*(abc|hij)$' lines.txt
same "grep -ri" /bin/grep -ri -c 'ÉCOLE' .
same "sed" /bin/sed -E -n 's/^([0-9]+) line 0*([0-9]+) (.*)$/\3:\2:\1/p;100q' lines.txt
same "mawk" /usr/bin/mawk '{ s[$4] += $1 } END { for (k in s) n++; print n, s["abc"], NR }' lines.txt
same "find" /usr/bin/find . -name '*.txt' -newermt 2019-01-01 -printf '%p %s %m %TY\n'
same "date -d (UTC)" /bin/date -d @1767225600 '+%F %T %Z %s'
same "python3" "$python" "$work/prog.py" lines.txt
same "perl" /usr/bin/perl "$work/prog.pl" lines.txt
same "sqlite3 :memory:" /usr/bin/sqlite3 :memory: "create table t(a, b); insert into t values (1, 'x'), (2, 'y'); select sum(a), group_concat(b) from t;"
same "bash pipeline of dynamic programs" /bin/bash -c \
    'grep -c abc lines.txt; sort -n lines.txt | head -3 | wc -c; ls sub | tr a-z A-Z; date -d @0 +%Y'

# The virtual clock: the machine starts at 2026-01-01 00:00:00 UTC.
for zone in UTC America/New_York; do
    want=$(TZ=$zone date -d @1767225600 '+%F %T %Z')
    got=$(cd "$data" && env -i "${run_env[@]}" TZ=$zone "$vmemu" run --quiet /bin/date '+%F %T %Z' 2>&1)
    if [ "$got" = "$want" ]; then
        pass "date in $zone prints the virtual clock: $got"
    else
        fail "date in $zone" "got '$got', expected '$want'"
    fi
done

# Programs that write: each run writes its own copy; the results must agree.
for who in n v; do
    mkdir -p "$work/$who"
    cp -a "$data" "$work/$who/src"
done
writes() {
    local dir=$1
    shift
    (
        cd "$dir" && env -i "${run_env[@]}" timeout "$timeout_s" "$@" >/dev/null 2>"$dir.err" </dev/null
        echo $?
    ) 2>/dev/null
}
# same_writes LABEL CMD...: run CMD in n (natively) and v (vmemu); both must succeed.
same_writes() {
    local label=$1 n_st v_st
    shift
    n_st=$(writes "$work/n" setarch "$(uname -m)" -R "$@")
    v_st=$(writes "$work/v" "$vmemu" run --quiet "$@")
    if [ "$n_st" != 0 ] || [ "$v_st" != 0 ]; then
        fail "$label" "status native $n_st, vmemu $v_st: $(head -n 3 "$work/v.err")"
        return 1
    fi
    return 0
}
same_writes "cp" /bin/cp -a src/lines.txt copy.txt &&
    if cmp -s "$work/v/copy.txt" "$data/lines.txt" &&
        [ "$(stat -c %Y "$work/v/copy.txt")" = "$(stat -c %Y "$data/lines.txt")" ]; then
        pass "cp -a: same bytes and time"
    else
        fail "cp -a" "the copy differs from the original"
    fi
same_writes "tar czf" /bin/tar czf src.tgz src &&
    same_writes "tar xzf" /bin/tar xzf src.tgz --one-top-level=out &&
    if diff -r "$work/v/out/src" "$data" >/dev/null && gzip -t "$work/v/src.tgz"; then
        pass "tar+gzip round trip: the tree came back whole"
    else
        fail "tar+gzip round trip" "$(diff -r "$work/v/out/src" "$data" 2>&1 | head -n 3)"
    fi
same_writes "sqlite3 file" /usr/bin/sqlite3 db.sqlite \
    "create table t(a integer primary key, b); insert into t(b) select value from json_each('[1,2,3,4]'); update t set b = b * 10;" &&
    if [ "$(sqlite3 "$work/v/db.sqlite" 'select sum(b) from t')" = 100 ]; then
        pass "sqlite3 file database: written under vmemu, read natively"
    else
        fail "sqlite3 file database" "$(sqlite3 "$work/v/db.sqlite" 'select * from t' 2>&1 | head -n 3)"
    fi

finish
