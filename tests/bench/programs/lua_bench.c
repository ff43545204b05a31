/*
 * Lua 5.4 (Debian's liblua5.4.a, linked statically) running a CPU benchmark
 * script: the interpreter's dispatch loop, its garbage collector and string
 * handling as a real program exercises them.
 *
 *   lua_bench SCRIPT [N]   runs SCRIPT with the global N set (default 1)
 *
 * The script prints a digest that depends only on N, so a run under vmemu
 * must print what a native run prints.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: lua_bench SCRIPT [N]\n");
        return 2;
    }
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "lua_bench: out of memory\n");
        return 1;
    }
    luaL_openlibs(L);
    lua_pushinteger(L, argc > 2 ? atol(argv[2]) : 1);
    lua_setglobal(L, "N");
    int status = luaL_dofile(L, argv[1]);
    if (status != LUA_OK)
        fprintf(stderr, "lua_bench: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return status == LUA_OK ? 0 : 1;
}
