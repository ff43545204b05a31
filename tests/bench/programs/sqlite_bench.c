/*
 * SQLite (Debian's libsqlite3.a, linked statically) in memory: N rows
 * inserted through a prepared statement in one transaction, an index built,
 * then aggregate, range and join queries. Prints a digest of every result
 * row, the same natively and under vmemu.
 *
 *   sqlite_bench [ROWS]   (default 100000)
 */
#include <sqlite3.h>
#include "bench_rng.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    return bench_rng_next(&rng);
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "sqlite_bench: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(db, sql);
}

/* Runs a query and prints its row count and an FNV-1a hash of its text. */
static void query(sqlite3 *db, const char *label, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(db, sql);
    uint32_t h = 2166136261u;
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rows++;
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            for (; v && *v; v++)
                h = (h ^ *v) * 16777619u;
            h = (h ^ '|') * 16777619u;
        }
    }
    if (rc != SQLITE_DONE)
        die(db, sql);
    sqlite3_finalize(st);
    printf("%s: %ld rows, digest %08x\n", label, rows, h);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    sqlite3 *db;
    if (n <= 0 || sqlite3_open(":memory:", &db) != SQLITE_OK) {
        fprintf(stderr, "usage: sqlite_bench [ROWS > 0]\n");
        return 2;
    }
    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, g INTEGER, v TEXT)");
    exec(db, "CREATE TABLE groups(g INTEGER PRIMARY KEY, name TEXT)");
    exec(db, "BEGIN");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO t(k, g, v) VALUES(?, ?, ?)", -1, &ins, NULL) !=
        SQLITE_OK)
        die(db, "prepare insert");
    for (long i = 0; i < n; i++) {
        char text[32];
        uint64_t r = next();
        snprintf(text, sizeof text, "row-%llx", (unsigned long long)(r >> 20));
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)(r % 1000003));
        sqlite3_bind_int(ins, 2, (int)(r % 97));
        sqlite3_bind_text(ins, 3, text, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die(db, "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    for (int g = 0; g < 97; g++) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO groups VALUES(%d, 'group-%02d')", g, g);
        exec(db, sql);
    }
    exec(db, "COMMIT");
    exec(db, "CREATE INDEX t_k ON t(k)");
    query(db, "count", "SELECT count(*), sum(k), min(v), max(v) FROM t");
    query(db, "group", "SELECT g, count(*), sum(k), avg(length(v)) FROM t GROUP BY g ORDER BY g");
    query(db, "range", "SELECT id, k FROM t WHERE k BETWEEN 1000 AND 60000 ORDER BY k, id");
    query(db, "join",
          "SELECT name, count(*) FROM t JOIN groups USING(g) WHERE k % 7 = 3 "
          "GROUP BY name ORDER BY 2 DESC, 1 LIMIT 10");
    query(db, "like", "SELECT count(*) FROM t WHERE v LIKE '%ab%'");
    sqlite3_close(db);
    return 0;
}
