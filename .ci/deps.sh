#!/usr/bin/env bash
# Install what vmemu needs to build and test, from Debian's packages only.
#
# A no-op when everything is present. Unicorn must be 2.1 or newer: Debian 12
# ships 2.0.1, which lacks the TLB-fill hook vmemu's MMU is built on, so on
# Debian 12 the two Unicorn packages come from Debian 13 (trixie) through an
# extra apt source pinned so that nothing else is ever taken from it.
set -euo pipefail

# libdw-dev: symbols and source lines; strace: the native side of the syscall
# decoding test; chromium: the HTML report's DOM test and screenshot; python3:
# tests that parse JSON and HTML; man-db and groff-base: the man page's lint;
# perl, sqlite3, mawk, tzdata and the rest: Debian programs run under vmemu;
# dpkg-dev (dpkg-shlibdeps), bash-completion and git: the .deb's Depends, the
# completion's loading and --version's git describe (tests/integration/
# deb_package.sh, install.sh, version.sh); the -dev libraries:
# tests/bench's real programs, linked statically.
PKGS=(cmake make gcc clang libclang-rt-dev libc6-dev pkg-config libcapstone-dev libelf-dev
      libdw-dev musl-tools libcmocka-dev clang-format busybox-static bash-static golang-go
      qemu-user qemu-user-static strace chromium man-db groff-base
      python3 perl sqlite3 mawk tar gzip findutils grep sed tzdata dash binutils
      dpkg-dev bash-completion git liblua5.4-dev libsqlite3-dev zlib1g-dev libzstd-dev
      libgmp-dev)
UNICORN_MIN=2.1

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

unicorn_ok() {
    pkg-config --exists "unicorn >= $UNICORN_MIN" 2>/dev/null
}

need_unicorn=0
unicorn_ok || need_unicorn=1

if [ ${#missing[@]} -eq 0 ] && [ $need_unicorn -eq 0 ]; then
    exit 0
fi

updated=0
apt_update() { [ $updated -eq 1 ] || { sudo_ apt-get update -qq; updated=1; }; }

if [ $need_unicorn -eq 1 ]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    if [ "$codename" = "bookworm" ]; then
        src=/etc/apt/sources.list.d/vmemu-trixie.sources
        pin=/etc/apt/preferences.d/vmemu-trixie-unicorn
        if [ ! -f "$src" ]; then
            sudo_ tee "$src" >/dev/null <<'SRC'
# Added by vmemu's scripts/deps.sh: only libunicorn is taken from here (see the pin).
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
        fi
        if [ ! -f "$pin" ]; then
            sudo_ tee "$pin" >/dev/null <<'PIN'
# Added by vmemu's scripts/deps.sh: nothing from trixie unless named below.
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: libunicorn2t64 libunicorn-dev
Pin: release n=trixie
Pin-Priority: 600
PIN
        fi
    fi
    apt_update
    missing+=(libunicorn-dev)
fi

apt_update
sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

if ! unicorn_ok; then
    echo "deps: Unicorn >= $UNICORN_MIN is still missing after install (have: $(pkg-config --modversion unicorn 2>/dev/null || echo none))" >&2
    exit 1
fi
