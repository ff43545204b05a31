#!/usr/bin/env bash
# The CPU vmemu offers a program: CPUID must advertise exactly the features
# Unicorn's translator implements for vmemu's model (docs/cpu.md), and each
# of them must give known answers (samples/cpu_features.c checks them and
# lists what CPUID advertised on stderr). Features the emulator lacks (AVX,
# FMA, ...) and RDRAND (host randomness would break determinism) must not
# appear. samples.sh compares the same programs' stdout with native runs.
#
# usage: cpu_state.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: cpu_state.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

want="sse3 pclmulqdq ssse3 cx16 sse4.1 sse4.2 movbe popcnt aes fsgsbase bmi1 bmi2 adx lahf_lm lzcnt rdtscp"

for libc in musl glibc; do
    bin="$build/samples/cpu_features-$libc"
    if [ ! -x "$bin" ]; then
        fail "cpu_features-$libc" "missing: build the 'samples' target"
        continue
    fi
    st=0
    timeout 60 "$vmemu" run --quiet "$bin" >"$work/out" 2>"$work/err" || st=$?
    got=$(sed -n 's/^advertised: //p' "$work/err")
    echo "  cpu_features-$libc: status $st, advertised: $got"
    if [ "$st" != 0 ]; then
        fail "cpu_features-$libc" "status $st (an advertised feature failed or was not emulated)"
        sed 's/^/    stderr: /' "$work/err" | head -n 8
    elif [ "$got" != "$want" ]; then
        fail "cpu_features-$libc" "CPUID advertises '$got', expected '$want'"
    else
        pass "cpu_features-$libc"
    fi
done

finish
