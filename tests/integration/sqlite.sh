#!/usr/bin/env bash
# sqlite (Debian's sqlite3 CLI and libsqlite3) on a file database in its
# two journal modes, natively with ASLR off and under `vmemu run --quiet`,
# each in a directory of its own:
#   delete  the default rollback journal: a transaction larger than a
#           ten-page cache spills into the database, so the rollback must
#           read the journal back; fcntl locks on the database file;
#   wal     write-ahead log: the -wal file and the -shm index that every
#           connection maps MAP_SHARED and locks with fcntl byte ranges.
# Three processes in turn per mode (create and fill, roll back and update,
# query), then each database's dump, read natively, and the files left in
# each directory. stdout, exit status and the dump must be equal to the
# native run's, and vmemu must print no "unimplemented" line.
#
# usage: sqlite.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: sqlite.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-120}
sqlite=/usr/bin/sqlite3
require "$vmemu" "$sqlite"

run_env=(PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC HOME="$work")
for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
    [ -n "${!v:-}" ] && run_env+=("$v=${!v}")
done

fill="create table t(id integer primary key, name text, v real);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 5000)
  insert into t(name, v) select printf('row%05d', x), x * 1.5 from c;
create index t_name on t(name);
select count(*), sum(v) from t;"
change="pragma cache_size = 10;
begin; delete from t where id % 3 = 0; update t set name = upper(name); select count(*) from t; rollback;
begin; update t set v = v * 2 where id % 7 = 0; insert into t(name, v) values ('extra', 0.25); commit;
select count(*), sum(v), min(name), max(name) from t;"
query="select count(*), sum(v) from t where name like 'row01%';
select name, v from t where id in (7, 14, 4999, 5001) order by id;
pragma journal_mode; pragma integrity_check;"

# run_in DIR CMD...: run CMD in DIR under the environment and a time limit;
# stdout to DIR.out (appended), stderr to DIR.err (appended), prints the status.
run_in() {
    local dir=$1
    shift
    (
        cd "$dir" && env -i "${run_env[@]}" timeout "$timeout_s" "$@" >>"$dir.out" 2>>"$dir.err" </dev/null
        echo $?
    ) 2>/dev/null
}

for mode in delete wal; do
    for who in n v; do
        mkdir -p "$work/$mode-$who"
    done
    ok=1
    step=0
    for sql in "pragma journal_mode = $mode; $fill" "$change" "$query"; do
        step=$((step + 1))
        n_st=$(run_in "$work/$mode-n" setarch "$(uname -m)" -R "$sqlite" db "$sql")
        v_st=$(run_in "$work/$mode-v" "$vmemu" run --quiet "$sqlite" db "$sql")
        if [ "$n_st" != 0 ] || [ "$v_st" != 0 ]; then
            fail "$mode step $step" "status native $n_st, vmemu $v_st"
            sed 's/^/    vmemu stderr: /' "$work/$mode-v.err" | head -n 5
            ok=0
            break
        fi
    done
    [ $ok = 1 ] || continue
    if cmp -s "$work/$mode-n.out" "$work/$mode-v.out"; then
        pass "$mode: the three processes print what they print natively ($(wc -l <"$work/$mode-v.out") lines)"
    else
        fail "$mode" "stdout differs (< native, > vmemu)"
        diff "$work/$mode-n.out" "$work/$mode-v.out" | head -n 10 | sed 's/^/    /'
    fi
    if grep -q unimplemented "$work/$mode-v.err"; then
        fail "$mode" "vmemu reported $(grep -m1 unimplemented "$work/$mode-v.err")"
    else
        pass "$mode: no unimplemented system call"
    fi
    for who in n v; do
        "$sqlite" "$work/$mode-$who/db" .dump >"$work/$mode-$who.dump"
        ls "$work/$mode-$who" >"$work/$mode-$who.files"
    done
    if cmp -s "$work/$mode-n.dump" "$work/$mode-v.dump" && [ -s "$work/$mode-v.dump" ]; then
        pass "$mode: the database written under vmemu dumps as the native one ($(wc -l <"$work/$mode-v.dump") lines)"
    else
        fail "$mode" "the dumps differ"
        diff "$work/$mode-n.dump" "$work/$mode-v.dump" | head -n 5 | sed 's/^/    /'
    fi
    if cmp -s "$work/$mode-n.files" "$work/$mode-v.files"; then
        pass "$mode: the same files are left: $(tr '\n' ' ' <"$work/$mode-v.files")"
    else
        fail "$mode" "files left: native $(tr '\n' ' ' <"$work/$mode-n.files"), vmemu $(tr '\n' ' ' <"$work/$mode-v.files")"
    fi
done
grep -q '^wal$' "$work/wal-v.out" && pass "wal: the database reports journal_mode wal" ||
    fail "wal" "journal_mode is not wal"
finish
