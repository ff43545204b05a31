# What every integration test shares. A test script (tests/integration/X.sh,
# run by ctest as `X.sh BUILD_DIR SOURCE_DIR`) sources this first:
#     . "${2:?usage: X.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"
# It sets build, src and vmemu, a fresh scratch directory $work (removed at
# exit), no core files, no VMEMU_OPTIONS, and pass/fail counters with a
# closing line in the "N passed, M failed" form; `finish` ends the script
# with the verdict.
set -u
build=${1:?usage: TEST BUILD_DIR SOURCE_DIR}
src=${2:?usage: TEST BUILD_DIR SOURCE_DIR}
vmemu="$build/vmemu"
passed=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/vmemu-$(basename "$0" .sh).XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
ulimit -c 0
unset VMEMU_OPTIONS # the user's default options must not change what a test runs

pass() {
    passed=$((passed + 1))
    echo "PASS $1"
}

fail() {
    failed=$((failed + 1))
    echo "FAIL $1: $2"
}

# The closing line, and success only when something passed and nothing failed.
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# require FILE...: the build products a test needs; without them, FAIL at once.
# in_shard N: does the Nth item (from 0) belong to this run? VMEMU_SHARD=K/M
# (set by tests/CMakeLists.txt for the longest scripts) splits a loop into
# M tests that ctest runs side by side, each with its own time limit; without
# it every item does.
in_shard() {
    local shard=${VMEMU_SHARD:-}
    [ -z "$shard" ] || [ $(($1 % ${shard#*/})) = "${shard%/*}" ]
}

require() {
    local f
    for f in "$@"; do
        if [ ! -x "$f" ]; then
            echo "FAIL: $f is missing: build it first"
            echo "0 passed, 1 failed"
            exit 1
        fi
    done
}

# expect_run LABEL WANT CMD...: what CMD prints after its first ": " is WANT
# (the form of samples/path_probe's lines: "OP ARG: RESULT").
expect_run() {
    local label=$1 want=$2 got
    shift 2
    got=$("$@" 2>"$work/err")
    got=${got#*: }
    if [ "$got" = "$want" ]; then
        pass "$label: $want"
    else
        fail "$label" "got '$got', expected '$want'"
        sed 's/^/    stderr: /' "$work/err" | head -n 3
    fi
}

# expected_args NAME: the arguments tests/expected/NAME.expected runs the sample
# NAME with (its header's "# args:" line; plain words), for tests that run a
# sample as the expected-trace suite does.
expected_args() {
    sed -n '/^$/q;s/^# args: *//p' "$src/tests/expected/$1.expected"
}

# sample_args NAME: the arguments the tests give sample NAME (any build of
# it: maps_script-glibc too), the ones its musl build's expected file
# records, into the array args. A directory argument is "." (maps_script
# writes DIR/data, fault_counts its file there): run the sample with the
# scratch directory as the current one (`cd "$work"`), never touching host
# paths.
sample_args() {
    args=()
    local base="${1%%-*}-musl"
    [ -f "$src/tests/expected/$base.expected" ] && read -r -a args < <(expected_args "$base")
    return 0
}

# sample_status NAME: the exit status a sample's run must end with (as a
# shell reports it): bad_pointer and exec_data die of SIGSEGV, file_limits
# of SIGXFSZ, every other sample exits 0 (tests/integration/samples.sh
# checks these against the native runs).
sample_status() {
    case $1 in
    bad_pointer-* | exec_data-*) echo 139 ;;
    file_limits-*) echo 153 ;;
    *) echo 0 ;;
    esac
}
