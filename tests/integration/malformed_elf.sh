#!/usr/bin/env bash
# Inputs vmemu must refuse to run, each made in a fresh temporary directory:
# a truncated copy of a sample binary, one patched to e_machine EM_AARCH64,
# one patched to 32-bit, one patched to ET_REL, garbage bytes from a fixed
# seed, an empty file, a text file, a #! script with a missing interpreter, copies of a
# dynamically linked executable (/bin/true) whose PT_INTERP names a missing file, a file
# that is no ELF, and one shorter than an ELF header, a directory and a path that does not
# exist.
#
# The contract checked here, like a shell's:
#   - exit status 126 when the file exists but cannot be run,
#     127 when there is no such file;
#   - stderr is exactly one line, naming the file and the reason;
#   - nothing on stdout, no sanitizer report, no crash.
# The generated files are made executable, so the reason vmemu gives is the
# one under test and never a missing execute permission.
#
# usage: malformed_elf.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: malformed_elf.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

timeout_s=${VMEMU_TEST_TIMEOUT:-30}

# lib.sh's fail, with the run's stderr shown.
fail_with_stderr() {
    fail "$1" "$2"
    sed 's/^/    stderr: /' "$work/err" | head -n 8
}

# patch FILE OFFSET BYTES: overwrite bytes in place (BYTES in \x form).
patch() {
    printf '%b' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# reason_after_path PATH REASON: the stderr line says REASON after naming PATH
# (the file names here contain the reasons' words, so search past the name).
reason_after_path() {
    local line
    line=$(head -n 1 "$work/err")
    case ${line#*"$1"} in
    *"$2"*) return 0 ;;
    *) return 1 ;;
    esac
}

# expect NAME PATH STATUS REASON: `vmemu run PATH` is refused as described.
expect() {
    local name=$1 path=$2 want=$3 reason=$4 st lines
    (
        timeout "$timeout_s" "$vmemu" run "$path" >"$work/out" 2>"$work/err"
        echo $? >"$work/status"
    ) 2>/dev/null
    st=$(cat "$work/status")
    lines=$(wc -l <"$work/err")
    echo "  $name: status $st, stderr: $(head -n 1 "$work/err")"
    if [ "$st" != "$want" ]; then
        fail_with_stderr "$name" "exit status $st, expected $want"
    elif [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$work/err" | od -An -c | tr -d ' ')" != '\n' ]; then
        fail_with_stderr "$name" "stderr has $lines lines, expected exactly one"
    elif ! grep -qF -- "$path" "$work/err"; then
        fail_with_stderr "$name" "the stderr line does not name $path"
    elif ! reason_after_path "$path" "$reason"; then
        fail_with_stderr "$name" "the stderr line does not say \"$reason\""
    elif grep -Eq 'Sanitizer|runtime error|Segmentation|Aborted|core dumped' "$work/err"; then
        fail_with_stderr "$name" "crash or sanitizer output"
    elif [ -s "$work/out" ]; then
        fail_with_stderr "$name" "unexpected output on stdout"
    else
        pass "$name"
    fi
}

if [ ! -x "$vmemu" ]; then
    echo "FAIL: $vmemu is missing: build it first"
    echo "0 passed, 1 failed"
    exit 1
fi
sample="$build/samples/hello-musl"
if [ ! -f "$sample" ]; then
    echo "FAIL: $sample is missing: build the 'samples' target"
    echo "0 passed, 1 failed"
    exit 1
fi
size=$(stat -c %s "$sample")

cp "$sample" "$work/truncated"
truncate -s $((size / 2)) "$work/truncated"

cp "$sample" "$work/aarch64"
patch "$work/aarch64" 18 '\xb7\x00' # e_machine = EM_AARCH64 (183)

cp "$sample" "$work/elf32"
patch "$work/elf32" 4 '\x01' # EI_CLASS = ELFCLASS32

cp "$sample" "$work/relocatable"
patch "$work/relocatable" 16 '\x01\x00' # e_type = ET_REL

# perl's rand has been drand48 since 5.20: seed 42 gives the same bytes everywhere.
perl -e 'srand(42); print chr(int(rand(256))) for 1 .. 4096' >"$work/garbage"
: >"$work/empty"
printf 'This is a text file, not a program.\n' >"$work/text"
printf '#!/nonexistent/interpreter\necho hello\n' >"$work/script"
mkdir "$work/directory"
# with_interp OUT PATH: /bin/true with its interpreter's path replaced by PATH (NUL-padded).
with_interp() {
    PATH_NEW=$2 perl -0777 -pe '
        my $old = "/lib64/ld-linux-x86-64.so.2";
        my $new = pack("a" . length($old), $ENV{PATH_NEW});
        s/\Q$old\E/$new/ or die "no PT_INTERP path to replace\n";' /bin/true >"$1"
}
with_interp "$work/interp_missing" /nonexistent/ld.so
# Relative interpreter paths (resolved in the caller's working directory, $work) fit the slot.
with_interp "$work/interp_script" ./ld_script
with_interp "$work/interp_short" ./ld_short
{ printf '#!/bin/sh\n'; head -c 200 /dev/zero; } >"$work/ld_script"
printf '\177ELF' >"$work/ld_short"
chmod +x "$work"/*

expect truncated "$work/truncated" 126 "truncated"
expect aarch64 "$work/aarch64" 126 "not an x86-64 executable"
expect elf32 "$work/elf32" 126 "not a 64-bit ELF file"
expect relocatable "$work/relocatable" 126 "not an executable"
expect garbage "$work/garbage" 126 "not an ELF file"
expect empty "$work/empty" 126 "not an ELF file"
expect text "$work/text" 126 "not an ELF file"
expect script "$work/script" 127 "bad interpreter /nonexistent/interpreter"
# As execve answers: ENOENT (127), ELIBBAD, and EIO for a header it cannot read (126).
cd "$work" || exit 1
expect interp_missing "$work/interp_missing" 127 \
    "cannot open the interpreter /nonexistent/ld.so: No such file or directory"
expect interp_script "$work/interp_script" 126 \
    "bad interpreter ./ld_script: not an ELF file: a script"
expect interp_short "$work/interp_short" 126 "shorter than an ELF header"
expect directory "$work/directory" 126 "is a directory"
expect nonexistent "$work/no-such-file" 127 "No such file or directory"

finish
