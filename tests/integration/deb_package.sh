#!/usr/bin/env bash
# The Debian package: cpack -G DEB, as `make package` runs it (its
# preinstall step is a no-op on a built tree), gives vmemu_VERSION_ARCH.deb.
# dpkg-deb --info shows the control fields: Section, Priority, Maintainer,
# the Description, and Depends computed by dpkg-shlibdeps, naming the
# package of every shared library the binary needs, with Unicorn 2.1 or
# newer when it is one of them, and Built-Using naming Unicorn's source
# package when it is linked statically; and the package of the Capstone
# library vmemu loads on first use (not a NEEDED one: the file the packaged
# vmemu's --version names), at the headers' version or newer. dpkg-deb --contents shows the files: root-owned, under /usr only,
# the binary stripped, the compressed man page, the bash completion, the
# copyright, docs and examples. apt-get --simulate (which changes nothing)
# says the package installs here, its dependencies met. dpkg installs it
# into a scratch root with a database of its own (so the machine is left
# alone, and the libraries, which that database lacks, are forced): it
# registers every file, the vmemu installed there runs a program, and
# dpkg -r removes the package leaving no file, directory or record behind.
#
# usage: deb_package.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: deb_package.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
require "$vmemu" "$build/samples/hello-musl"

release=$(sed -n 's/^project(vmemu VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
deb=$work/pkg/vmemu_${release}_$arch.deb
if cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1 &&
    [ -f "$deb" ]; then
    pass "cpack -G DEB built ${deb##*/} ($(wc -c <"$deb") bytes)"
else
    fail cpack "no $deb: $(tail -n 3 "$work/cpack.log")"
    finish
    exit
fi

# --- Control fields ------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
dpkg-deb --info "$deb" >"$work/info"
bad=()
[ "$(field Package)" = vmemu ] || bad+=("Package $(field Package)")
[ "$(field Version)" = "$release" ] || bad+=("Version $(field Version)")
[ "$(field Architecture)" = "$arch" ] || bad+=("Architecture $(field Architecture)")
[ "$(field Section)" = devel ] || bad+=("Section $(field Section)")
[ "$(field Priority)" = optional ] || bad+=("Priority $(field Priority)")
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || bad+=("Maintainer $(field Maintainer)")
# A synopsis line, then a long description with its paragraphs.
desc=$(field Description)
[[ $(head -n 1 <<<"$desc") == "run Linux x86-64 programs over a model of Linux's memory manager" ]] &&
    [ "$(wc -l <<<"$desc")" -gt 5 ] && grep -q '^ \.$' <<<"$desc" || bad+=("Description")
grep -q ' md5sums *$' "$work/info" || bad+=("no md5sums")
if [ ${#bad[@]} -eq 0 ]; then
    pass "control: vmemu $release $arch, Section devel, Priority optional, $(field Maintainer)"
else
    fail control "${bad[*]}"
fi

# --- Installed into a scratch root --------------------------------------------
# $work/root, recorded in $work/dpkg, a database of its own.
root=$work/root
mkdir -p "$root" "$work/dpkg/updates" "$work/dpkg/info"
touch "$work/dpkg/status" "$work/dpkg/available"
dpkg_() { dpkg --admindir="$work/dpkg" --instdir="$root" --log="$work/dpkg.log" "$@"; }
if dpkg_ --force-depends -i "$deb" >"$work/dpkg.out" 2>&1 &&
    dpkg_ -s vmemu | grep -q '^Status: install ok installed$'; then
    pass "dpkg -i into a scratch root: install ok installed"
else
    fail "dpkg -i" "$(grep -v -E '^ |depends on|dependency problems' "$work/dpkg.out" | tail -n 3)"
fi
bin=$root/usr/bin/vmemu

# Depends: the package of each shared library vmemu needs (as dpkg -S names
# it). Unicorn linked shared: Depends names it, 2.1 or newer, and there is
# no Built-Using. Linked statically (no libunicorn among the NEEDED): no
# Unicorn in Depends, and Built-Using names the source package of the
# libunicorn.a pkg-config points at, at its exact version.
depends=$(field Depends)
built_using=$(field Built-Using)
echo "    Depends: $depends"
echo "    Built-Using: ${built_using:-(none)}"
# owner PATH: the package that installed the library at PATH (merged /usr: either name).
owner() {
    local p r
    r=$(realpath "$1")
    for p in "$1" "$r" "${1#/usr}" "/usr${1#/usr}" "${r#/usr}" "/usr${r#/usr}"; do
        dpkg -S "$p" 2>/dev/null | sed -n '1s/:.*//p' | grep . && return
    done
}
unmet=() needed=0 shared_unicorn=0
for soname in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
    # ldd: "soname => path (addr)", or "/path/soname (addr)" for the dynamic loader.
    lib=$(ldd "$bin" | awk -v s="$soname" '{ n = $1; sub(/.*\//, "", n) }
        n == s { print ($3 ~ /^\//) ? $3 : $1; exit }')
    pkg=$(owner "$lib")
    needed=$((needed + 1))
    [[ $soname == libunicorn.so* ]] && shared_unicorn=1
    if [ -z "$pkg" ]; then
        unmet+=("$soname ($lib) belongs to no package")
    elif ! grep -Eq "(^|, )$pkg( \(>= [^)]*\))?(,|$)" <<<"$depends"; then
        unmet+=("$pkg (for $soname)")
    fi
done
unicorn=0
IFS=',' read -ra clauses <<<"$depends"
for c in "${clauses[@]}"; do
    if [[ $c =~ ^\ *libunicorn[0-9a-z]*\ \(\>=\ ([^\)]+)\)$ ]]; then
        dpkg --compare-versions "${BASH_REMATCH[1]}" ge 2.1 && unicorn=$((unicorn + 1)) ||
            unmet+=("Unicorn floor ${BASH_REMATCH[1]} below 2.1")
    elif [[ $c == *unicorn* ]]; then
        unmet+=("Unicorn clause '$c'")
    fi
done
for want in libc6 libelf1 libdw1; do
    grep -Eq "(^|, )$want" <<<"$depends" || unmet+=("$want")
done
# Capstone: dlopen'ed, so no NEEDED entry; Depends names the package of the
# file the packaged vmemu loads, with the floor of the headers it was built with.
cs_path=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$bin" --version |
    sed -n 's/^Capstone .* (loaded on first use from \(.*\))$/\1/p')
cs_pkg=$([ -n "$cs_path" ] && owner "$cs_path")
cs_min=$(pkg-config --modversion capstone)
if [ -z "$cs_pkg" ]; then
    unmet+=("Capstone: vmemu loads '$cs_path', of no package")
elif ! grep -Eq "(^|, )$cs_pkg \(>= ${cs_min//./\\.}\)(,|$)" <<<"$depends"; then
    unmet+=("$cs_pkg (>= $cs_min) (for $cs_path)")
elif ! dpkg --compare-versions "$(dpkg-query -W -f '${Version}' "$cs_pkg")" ge "$cs_min"; then
    unmet+=("the installed $cs_pkg is older than its floor $cs_min")
fi
readelf -d "$bin" | grep -q 'NEEDED.*libcapstone' && unmet+=("libcapstone is NEEDED: loaded at every start")
if [ "$shared_unicorn" = 1 ]; then
    grep -Eq '(^|, )libunicorn2 \(>= 2\.1\)' <<<"$depends" || unmet+=("libunicorn2 (>= 2.1)")
    [ "$unicorn" -ge 1 ] || unmet+=("no Unicorn clause")
    [ -z "$built_using" ] || unmet+=("Built-Using '$built_using' with a shared Unicorn")
    unicorn_says="and Unicorn >= 2.1"
else
    archive=$(pkg-config --variable=libdir unicorn)/libunicorn.a
    unicorn_src=$(dpkg-query -W -f '${source:Package} (= ${source:Version})' "$(owner "$archive")" 2>/dev/null)
    [ "$unicorn" = 0 ] || unmet+=("Depends names Unicorn, which vmemu links statically")
    [ -n "$unicorn_src" ] && [ "$built_using" = "$unicorn_src" ] || unmet+=("Built-Using '$built_using', not '$unicorn_src' (of $archive)")
    unicorn_says="and Built-Using names Unicorn's source, linked statically: $built_using"
fi
if [ ${#unmet[@]} -eq 0 ] && [ "$needed" -ge 4 ]; then
    pass "Depends names the package of each of the $needed libraries vmemu needs, of Capstone ($cs_pkg >= $cs_min, loaded on first use), $unicorn_says"
else
    fail depends "missing or wrong: ${unmet[*]}; $needed libraries needed"
fi

# --- Contents ----------------------------------------------------------------
dpkg-deb --contents "$deb" >"$work/contents"
bad=()
for f in ./usr/bin/vmemu ./usr/share/man/man1/vmemu.1.gz ./usr/share/bash-completion/completions/vmemu \
    ./usr/share/doc/vmemu/copyright ./usr/share/doc/vmemu/README.md ./usr/share/doc/vmemu/docs/tracing.md \
    ./usr/share/doc/vmemu/examples/Makefile ./usr/share/doc/vmemu/examples/hello.c; do
    grep -q " $f\$" "$work/contents" || bad+=("no $f")
done
awk '$2 != "root/root" { print "owner " $2 " of " $6 }' "$work/contents" >"$work/owners"
# "./", the root, is listed in a package dpkg-deb built (cmake/deb_built_using.cmake's repacking).
awk '$6 != "./" && $6 !~ /^\.\/usr\// { print "outside /usr: " $6 }' "$work/contents" >>"$work/owners"
grep -q '^-rwxr-xr-x .* ./usr/bin/vmemu$' "$work/contents" || bad+=("vmemu not mode 755")
while read -r line; do bad+=("$line"); done <"$work/owners"
readelf -S "$bin" | grep -q '\.debug_info' && bad+=("vmemu not stripped")
zcat "$root/usr/share/man/man1/vmemu.1.gz" | cmp -s - "$src/docs/vmemu.1" || bad+=("man page")
if [ ${#bad[@]} -eq 0 ]; then
    pass "contents: $(wc -l <"$work/contents") entries, root-owned under /usr, vmemu stripped, man page, completion, docs"
else
    fail contents "${bad[*]}"
fi

# --- Installable here, and it runs -------------------------------------------
if apt-get install --simulate "$deb" >"$work/apt" 2>&1 && grep -q "^Inst vmemu ($release " "$work/apt"; then
    pass "apt-get install --simulate: $(grep '^Inst vmemu' "$work/apt")"
else
    fail apt "$(grep -E '^E:|Depends|unmet' "$work/apt" | head -n 3)"
fi
st=0
# Under ASan, the packaged binary is stripped: the suppression of Unicorn's
# own leak (tests/lsan.supp) names a function, which a statically linked
# Unicorn has no name for there. The build's vmemu is leak-checked by every
# other test.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    "$bin" run --quiet "$build/samples/hello-musl" >"$work/out" 2>"$work/err" || st=$?
if [ "$st" = 0 ] && grep -q '^Hello from' "$work/out" && "$bin" --version | cmp -s - <("$vmemu" --version); then
    pass "the packaged vmemu runs a program, and its --version is the build's"
else
    fail run "status $st: $(head -n 2 "$work/err")"
fi

# dpkg -L lists what --contents shows (dpkg names directories without their slash).
sed -E 's/.* \.(\/[^ ]*)$/\1/; s,/$,,; s,^$,/.,' "$work/contents" | sort >"$work/files.deb"
dpkg_ -L vmemu | sort >"$work/files.dpkg"
listed=$(wc -l <"$work/files.dpkg")
if dpkg_ -r vmemu >"$work/remove.out" 2>&1 && cmp -s "$work/files.deb" "$work/files.dpkg" &&
    [ -z "$(find "$root" -mindepth 1 -print -quit)" ] && ! dpkg_ -s vmemu >/dev/null 2>&1; then
    pass "dpkg -r: the $listed paths dpkg -L listed are gone, and so is the package's record"
else
    fail "dpkg -r" "left: $(find "$root" -mindepth 1 | head -n 3 | tr '\n' ' ')$(diff "$work/files.deb" "$work/files.dpkg" | head -n 3 | tr '\n' ' ')$(tail -n 2 "$work/remove.out")"
fi
finish
