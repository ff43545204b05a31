#!/usr/bin/env bash
# The bash completion (packaging/vmemu.bash), driven as bash drives it
# (COMP_WORDS split at blanks and at '=', as COMP_WORDBREAKS splits):
# commands; the options of the vmemu being completed, read from its --help
# (every one --help lists, and those of a vmemu with an option this one
# lacks), --update for check; the values of --trace and --report as comma
# lists (every one --help names), and those of --fault-mode, --cache,
# --vma-tree, --trace-format; directories for --root; files for the
# program, its arguments, EXPECTED, traces and --trace-file; nothing after
# an option that takes a number.
# The words after the program (or after --) are the program's: files.
#
# usage: completion.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: completion.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
require "$vmemu"

# shellcheck source=../../packaging/vmemu.bash
. "$src/packaging/vmemu.bash"
compopt() { :; } # outside readline there are no completion options to set
set -f           # the test's own word splitting must not glob
export LC_ALL=C  # the order of sort
cd "$work" || exit 1
mkdir dir && touch prog1 prog2 t.jsonl

# offers LINE: what completing at the end of LINE offers, sorted, on one line.
offers() {
    local line=$1 w
    COMP_WORDS=()
    for w in $line; do
        while [[ $w == *=* ]]; do
            [ -n "${w%%=*}" ] && COMP_WORDS+=("${w%%=*}")
            COMP_WORDS+=("=")
            w=${w#*=}
        done
        [ -n "$w" ] && COMP_WORDS+=("$w")
    done
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line COMP_POINT=${#line}
    COMPREPLY=()
    _vmemu
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect LINE WANT: completing LINE offers exactly WANT (space-separated, sorted).
expect() {
    local got
    got=$(offers "$1")
    if [ "$got" = "$2" ]; then
        pass "'${1#"$vmemu" }' -> ${2:-(nothing)}"
    else
        fail "'${1#"$vmemu" }'" "offered '$got', expected '$2'"
    fi
}
v="$vmemu"

expect "$v " "--help --version -V -h check help report run"
expect "$v r" "report run"
expect "$v run --tr" "--trace-file= --trace-format= --trace="
expect "$v check --up" "--update"
expect "$v run --up" ""

# Every option --help lists, and only those (and --), with its "=" where --help shows one.
want=$({
    "$vmemu" --help | grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z-]*=?' | grep -oE -- '--[a-z][a-z-]*=?'
    echo --
} | sort | tr '\n' ' ' | sed 's/ $//')
expect "$v run --" "$want"

# --trace's categories, as --help lists them.
cats=$("$vmemu" --help | sed -n '/--trace=LIST/,/--trace-format/p' | sed '$d' |
    sed 's/.*trace events://' | tr ',' '\n' | sed 's/ //g' | grep . | sort | tr '\n' ' ' | sed 's/ $//')
expect "$v run --trace=" "$cats"
expect "$v run --trace=fa" "fault"
expect "$v run --trace=fault,sy" "fault,syscall"
expect "$v run --trace fa" "fault"
expect "$v check --trace=mm,p" "mm,pagecache mm,proc"
# --report's /proc files, as --help lists them.
reports=$("$vmemu" --help | sed -n '/--report=LIST/,/--check-leaks/p' | sed '$d' | tr -d '\n' |
    sed 's/.*(\([^)]*\)).*/\1/' | tr ',' '\n' | sed 's/ //g' | grep . | sort | tr '\n' ' ' | sed 's/ $//')
expect "$v run --report=" "$reports"
expect "$v run --report=mem" "meminfo"
expect "$v run --report=meminfo,s" "meminfo,slabinfo meminfo,stat meminfo,status"
expect "$v run --fault-mode=" "auto inline precise"
expect "$v run --cache " "cold warm"
expect "$v run --vma-tree=r" "rbtree"
expect "$v run --trace-format=" "jsonl text"

# Files and directories.
expect "$v run --quiet pr" "prog1 prog2"
expect "$v run --ram 64M pr" "prog1 prog2"
expect "$v run --ram " ""
expect "$v run --seed=" ""
expect "$v run --root " "dir"
expect "$v run --trace-file=pr" "prog1 prog2"
expect "$v run --html pr" "prog1 prog2"
expect "$v run prog1 pr" "prog1 prog2"
expect "$v run prog1 --" ""
expect "$v run -- pr" "prog1 prog2"
expect "$v check t.jsonl pr" "prog1 prog2"
expect "$v report t" "t.jsonl"
expect "$v report t.jsonl -o p" "prog1 prog2"
expect "$v report t.jsonl --perfetto=p" "prog1 prog2"
expect "$v report -" "--help --output --perfetto -o"

# The options are the completed vmemu's own: one whose --help has an option this one lacks.
cat >"$work/othervmemu" <<'SH'
#!/bin/sh
printf '%s\n' "usage: vmemu run [OPTIONS] PROGRAM" "options:" \
    "  --swap-size SIZE    a new option with a value" "  --swappy            a new flag"
SH
chmod +x "$work/othervmemu"
expect "$work/othervmemu run --sw" "--swap-size --swappy"
expect "$work/othervmemu run --swap-size pr" ""
expect "$work/othervmemu run --swappy pr" "prog1 prog2"
finish
