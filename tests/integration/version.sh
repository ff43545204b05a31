#!/usr/bin/env bash
# vmemu --version names four versions, each checked against its source:
# vmemu's own, git describe's when built from a git checkout (a commit of
# this repository, after the release or tag) and the release of
# CMakeLists.txt otherwise (cmake/version.cmake, run here on a scratch
# repository with and without tags, and on a directory that is none);
# Unicorn and libelf as the Debian packages of the libraries it has loaded
# say (ldd, dpkg -S: the running versions, not the headers'), Unicorn,
# when linked statically (cmake/unicorn.cmake), as the package of the
# archive pkg-config points at says, and that it is linked so (no
# libunicorn in ldd's list, Unicorn's code in the binary); Capstone, which
# vmemu loads on first use (emu/disasm_lib.c, not in ldd's list), as the
# package of the file --version names says, that file being the one ld.so
# finds for the SONAME of the library pkg-config points at; when it cannot
# be loaded (VMEMU_TEST_CAPSTONE_SONAME naming no library), --version says
# so; and the trace schema, as the header of a trace it writes says.
#
# usage: version.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: version.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

prog="$build/samples/hello-musl"
require "$vmemu" "$prog"

"$vmemu" --version >"$work/version" 2>"$work/err"
st=$?
release=$(sed -n 's/^project(vmemu VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
if [ "$st" = 0 ] && [ "$(wc -l <"$work/version")" = 5 ] && [ ! -s "$work/err" ]; then
    pass "--version: five lines, status 0"
    sed 's/^/    /' "$work/version"
else
    fail "--version" "status $st, $(wc -l <"$work/version") lines, stderr: $(head -n 1 "$work/err")"
fi

# vmemu's own.
line=$(sed -n 1p "$work/version")
if [ -e "$src/.git" ] && git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
    # RELEASE-gHASH (no tag yet), TAG-N-gHASH or TAG (at a tag), -dirty after any.
    re='^vmemu ([0-9][0-9.]*)(-([0-9]+))?(-g([0-9a-f]{12}))?(-dirty)?$'
    if ! [[ $line =~ $re ]]; then
        fail "vmemu version" "'$line' is not git describe's form"
    elif [ -n "${BASH_REMATCH[5]}" ] && ! git -C "$src" cat-file -e "${BASH_REMATCH[5]}^{commit}" 2>/dev/null; then
        fail "vmemu version" "'$line' names no commit of $src"
    elif [ -n "${BASH_REMATCH[3]}" ] || [ -z "${BASH_REMATCH[5]}" ]; then
        if git -C "$src" rev-parse -q --verify "refs/tags/v${BASH_REMATCH[1]}" >/dev/null; then
            pass "vmemu's version is git describe's, after tag v${BASH_REMATCH[1]}"
        else
            fail "vmemu version" "'$line': no tag v${BASH_REMATCH[1]}"
        fi
    elif [ "${BASH_REMATCH[1]}" = "$release" ]; then
        pass "vmemu's version is git describe's: the release and commit ${BASH_REMATCH[5]} of $src"
    else
        fail "vmemu version" "'$line': ${BASH_REMATCH[1]} is not the release $release"
    fi
else
    if [ "$line" = "vmemu $release" ]; then pass "vmemu's version is the release, $release"; else
        fail "vmemu version" "'$line', expected 'vmemu $release' (not a git checkout)"
    fi
fi

# cmake/version.cmake's three cases, on scratch directories.
describe() { # describe DIR: the version cmake/version.cmake gives DIR, release 9.8.7
    cmake -DSOURCE_DIR="$1" -DRELEASE=9.8.7 -DGIT="$(command -v git)" -DOUT="$work/v.h" \
        -P "$src/cmake/version.cmake" && sed -n 's/^#define VMEMU_VERSION "\(.*\)"$/\1/p' "$work/v.h"
}
g() { git -C "$work/repo" -c user.name=t -c user.email=t@t.invalid "$@" >/dev/null 2>&1; }
mkdir -p "$work/tarball" "$work/repo"
g init -q && echo a >"$work/repo/f" && g add f && g commit -qm one
c1=$(git -C "$work/repo" rev-parse --short=12 HEAD)
untagged=$(describe "$work/repo")
g tag v2.3.4
at_tag=$(describe "$work/repo")
echo b >"$work/repo/f" && g commit -qam two
c2=$(git -C "$work/repo" rev-parse --short=12 HEAD)
after_tag=$(describe "$work/repo")
echo c >"$work/repo/f"
dirty=$(describe "$work/repo")
mkdir -p "$work/repo/sub"
inner=$(describe "$work/repo/sub") # no .git of its own: a tarball unpacked in a repository
notgit=$(describe "$work/tarball")
if [ "$untagged" = "9.8.7-g$c1" ] && [ "$at_tag" = 2.3.4 ] && [ "$after_tag" = "2.3.4-1-g$c2" ] &&
    [ "$dirty" = "2.3.4-1-g$c2-dirty" ] && [ "$inner" = 9.8.7 ] && [ "$notgit" = 9.8.7 ]; then
    pass "version.cmake: $untagged, $at_tag, $after_tag, $dirty, and the release outside git"
else
    fail "version.cmake" "untagged '$untagged', at a tag '$at_tag', after it '$after_tag', dirty '$dirty', in a repository '$inner', no git '$notgit'"
fi

# upstream PACKAGE: the upstream version of an installed Debian package (no epoch, no revision).
upstream() {
    local v
    v=$(dpkg-query -W -f '${Version}' "$1" 2>/dev/null) || return
    v=${v#*:}
    echo "${v%-*}"
}
# package_of SONAME_PATTERN: the package holding the library vmemu loads.
package_of() {
    local path
    path=$(ldd "$vmemu" | awk -v p="$1" '$1 ~ p { print $3; exit }')
    [ -n "$path" ] && dpkg -S "$(realpath "$path")" 2>/dev/null | sed -n '1s/:.*//p'
}
check_library() { # check_library NAME SONAME_PATTERN: the line "NAME X" matches the package
    local name=$1 pkg have want
    pkg=$(package_of "$2")
    want=$(upstream "$pkg")
    have=$(sed -n "s/^$name \([0-9][0-9.]*\)\( .*\)\{0,1\}$/\1/p" "$work/version")
    # Capstone's library knows its major and minor only: 4.0 for 4.0.2.
    if [ -n "$have" ] && [ -n "$want" ] && { [ "$have" = "$want" ] || [[ $want == "$have".* ]]; }; then
        pass "$name $have: the library loaded is $pkg $want"
    else
        fail "$name" "--version says '$have', the library loaded is ${pkg:-?} ${want:-?}"
    fi
}
unicorn_line=$(sed -n '/^Unicorn /p' "$work/version")
if ldd "$vmemu" | grep -Eq '^[[:space:]]*libunicorn[.]so'; then
    check_library Unicorn '^libunicorn[.]so'
    [[ $unicorn_line == *statically* ]] && fail "Unicorn" "'$unicorn_line', but vmemu loads libunicorn.so"
else
    archive=$(pkg-config --variable=libdir unicorn)/libunicorn.a
    pkg=$(dpkg -S "$archive" 2>/dev/null | sed -n '1s/:.*//p')
    want="Unicorn $(upstream "$pkg") (linked statically from $pkg $(dpkg-query -W -f '${Version}' "$pkg"))"
    if ! nm "$vmemu" 2>/dev/null | grep -q ' T uc_open$'; then
        fail "Unicorn" "no libunicorn.so in ldd's list, and no uc_open in vmemu"
    elif [ -n "$pkg" ] && [ "$unicorn_line" = "$want" ]; then
        pass "Unicorn is part of vmemu, and --version says from which package: $unicorn_line"
    else
        fail "Unicorn" "--version says '$unicorn_line'; linked statically from $archive, expected '$want'"
    fi
fi
check_library libelf '^libelf[.]so'

# Capstone: "Capstone 4.0 (built with 4.0.2) (loaded on first use from PATH)".
devlib=$(pkg-config --variable=libdir capstone)/libcapstone.so
soname=$(objdump -p "$devlib" 2>/dev/null | awk '$1 == "SONAME" { print $2 }')
# What ld.so finds for the SONAME (its cache), and the package owning it (merged /usr: either name).
found=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64/ { print $NF; exit }')
cs_line=$(sed -n '/^Capstone /p' "$work/version")
cs_re='^Capstone ([0-9]+[.][0-9]+) [(]built with [^)]*[)] [(]loaded on first use from (/[^)]*)[)]$'
if ! [[ $cs_line =~ $cs_re ]]; then
    fail "Capstone" "'$cs_line' names no version and file"
elif [ -z "$soname" ] || [ -z "$found" ] || [ "${BASH_REMATCH[2]##*/}" != "$soname" ] ||
    [ "$(realpath "${BASH_REMATCH[2]}")" != "$(realpath "$found")" ]; then
    fail "Capstone" "'$cs_line': not $found, the file ld.so finds for $devlib's SONAME '$soname'"
else
    have=${BASH_REMATCH[1]} path=${BASH_REMATCH[2]} pkg=
    for p in "$path" "/usr${path#/usr}" "${path#/usr}"; do
        pkg=$(dpkg -S "$p" 2>/dev/null | sed -n '1s/:.*//p') && [ -n "$pkg" ] && break
    done
    want=$(upstream "$pkg")
    # Capstone's library knows its major and minor only: 4.0 for 4.0.2.
    if [ -n "$want" ] && [[ $want == "$have".* || $want == "$have" ]]; then
        pass "Capstone $have, loaded on first use from $path: $pkg $want"
    else
        fail "Capstone" "--version says '$have' from $path, owned by ${pkg:-no package} ${want:-?}"
    fi
fi
if ldd "$vmemu" | grep -q 'libcapstone'; then
    fail "Capstone" "ldd lists libcapstone: vmemu is linked with it, and loads it at every start"
fi
st=0
VMEMU_TEST_CAPSTONE_SONAME=libcapstone.so.999 "$vmemu" --version >"$work/version.no" 2>&1 || st=$?
cs_no=$(sed -n '/^Capstone /p' "$work/version.no")
if [ "$st" = 0 ] && [[ $cs_no == "Capstone cannot be loaded: libcapstone.so.999: cannot open shared object file"* ]]; then
    pass "without the library, --version says so: $cs_no"
else
    fail "Capstone missing" "status $st, '$cs_no'"
fi
built=$(sed -n 's/^Capstone .* (built with \([^)]*\)).*$/\1/p' "$work/version")
if [ "$built" = "$(pkg-config --modversion capstone)" ]; then
    pass "Capstone's headers: $built"
else
    fail "Capstone headers" "'$built', pkg-config says $(pkg-config --modversion capstone)"
fi

# The trace schema, as traces say it.
schema=$(sed -n 's/^trace schema \([0-9]*\)$/\1/p' "$work/version")
"$vmemu" run --quiet --trace=mm --trace-format=jsonl --trace-file="$work/t.jsonl" "$prog" >/dev/null
"$vmemu" run --quiet --trace=mm --trace-file="$work/t.txt" "$prog" >/dev/null
jsonl=$(head -n 1 "$work/t.jsonl" | grep -o '"schema":"vmemu-trace","version":[0-9]*' | grep -o '[0-9]*$')
text=$(head -n 1 "$work/t.txt" | sed -n 's/^# vmemu trace version \([0-9]*\):.*/\1/p')
if [ -n "$schema" ] && [ "$schema" = "$jsonl" ] && [ "$schema" = "$text" ]; then
    pass "trace schema $schema, as the JSON Lines and the text headers say"
else
    fail "schema" "--version '$schema', JSON header '$jsonl', text header '$text'"
fi
finish
