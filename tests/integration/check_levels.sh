#!/usr/bin/env bash
# vmemu check's levels (docs/tracing.md, "Expected traces"): tests/check/pinned
# pinned down at the exact, normalized and summary levels. Harmless changes
# (VMEMU_TEST_PERTURB's extra start-up pages, kernel object and shuffled
# frames; every mapping placed 128 MiB lower by a larger stack limit) fail
# the exact level only; three real regressions (a mapping one page larger,
# fault-around lost, every page copied on write) fail all three, each with
# a message that names what moved. Then the header's checks (another
# program, other arguments, another schema, other options, no header),
# --update keeping the level and the options, and tolerances.
#
# usage: check_levels.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: check_levels.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

variants="$build/tests/check"
base="$variants/base/pinned"
require "$vmemu" "$base" "$variants/bigger/pinned" "$variants/no_around/pinned" \
    "$variants/cow_all/pinned" "$build/samples/hello-musl"
levels=(exact normalized summary)

# status_is WANT LABEL CHECK-ARGS...: vmemu check's exit status; its report in $work/out.
status_is() {
    local want=$1 label=$2 rc
    shift 2
    "$vmemu" check "$@" </dev/null >/dev/null 2>"$work/out"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$label"
    else
        fail "$label" "status $rc, expected $want: $(head -4 "$work/out" | tr '\n' '|')"
    fi
}

# says LABEL PATTERN: the last report has a line matching the extended regex PATTERN.
says() {
    if grep -qE -- "$2" "$work/out"; then
        pass "$1"
    else
        fail "$1" "no line matching '$2' in: $(head -8 "$work/out" | tr '\n' '|')"
    fi
}

# ---- the three levels, made and passed --------------------------------------------------
for l in "${levels[@]}"; do
    status_is 0 "--update writes a $l file" --update --level="$l" "$work/$l.expected" "$base"
    says "$l: --update says so" "^vmemu check: wrote .*/$l.expected \($l\)$"
    status_is 0 "$l: the same program passes" "$work/$l.expected" "$base"
    says "$l: the verdict names the level" "^vmemu check: .*: pass \($l"
done
sum=$(sha256sum "$base" | cut -d' ' -f1)
noargs=$(printf '' | sha256sum | cut -d' ' -f1)
header=$(sed '/^$/q' "$work/summary.expected")
if [ "$(head -1 <<<"$header")" = "# vmemu expected v1" ] && grep -qx "# level: summary" <<<"$header" &&
    grep -qx "# program-sha256: $sum" <<<"$header" && grep -qx "# args-sha256: $noargs" <<<"$header" &&
    grep -qx "# schema: 4" <<<"$header" && grep -qx "# program: $base" <<<"$header"; then
    pass "the header: magic line, level, schema, program path and SHA-256s (as sha256sum has them)"
else
    fail "header" "$(tr '\n' '|' <<<"$header")"
fi

# ---- harmless changes: exact fails, normalized and summary pass ---------------------------
for p in pages=3 kmalloc=64 scatter=64 pages=1,kmalloc=3000,scatter=200; do
    export VMEMU_TEST_PERTURB=$p
    status_is 1 "VMEMU_TEST_PERTURB=$p: exact fails" "$work/exact.expected" "$base"
    says "VMEMU_TEST_PERTURB=$p: exact shows frames that moved" "^  [-+] #[0-9]+ .* pfn=0x"
    status_is 0 "VMEMU_TEST_PERTURB=$p: normalized passes" "$work/normalized.expected" "$base"
    status_is 0 "VMEMU_TEST_PERTURB=$p: summary passes" "$work/summary.expected" "$base"
done
export VMEMU_TEST_PERTURB=bogus=1
status_is 0 "a bad VMEMU_TEST_PERTURB is ignored" "$work/normalized.expected" "$base"
says "a bad VMEMU_TEST_PERTURB says so" "VMEMU_TEST_PERTURB=bogus=1: 'bogus=1' is not"
unset VMEMU_TEST_PERTURB

# A stack limit of 255 MiB puts mmap_base, and every mapping, 128 MiB lower: a multiple of
# the 2 MiB a page table covers, so fault-around (which stops at a table's end) maps the same.
shifted() {
    (ulimit -s 261120 && exec "$vmemu" check "$@") </dev/null >/dev/null 2>"$work/out"
}
for l in "${levels[@]}"; do
    want=0
    [ "$l" = exact ] && want=1
    shifted "$work/$l.expected" "$base"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "every mapping 128 MiB lower: $l exits $want"
    else
        fail "every mapping 128 MiB lower: $l" "status $rc: $(head -4 "$work/out" | tr '\n' '|')"
    fi
done
status_is 0 "--normalize=frames: made" --update --normalize=frames "$work/frames.expected" "$base"
shifted "$work/frames.expected" "$base"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "7fffef" "$work/out"; then
    pass "--normalize=frames keeps addresses: the shifted run fails it, showing them"
else
    fail "--normalize=frames" "status $rc: $(head -4 "$work/out" | tr '\n' '|')"
fi

# ---- real regressions: every level fails, naming what moved -----------------------------
regression() { # VARIANT LEVEL PATTERN WHAT
    status_is 1 "$1 ($4): $2 fails" "$work/$2.expected" "$variants/$1/pinned"
    says "$1 ($4): $2 names it" "$3"
}
regression bigger exact "^  \+ #[0-9]+ .*mmap\(0x0, 0x41000," "one page more"
regression bigger normalized "^  \+ \[1000\] mm mmap\(0x0, 0x41000, .* created anon rw-p 0x41000$" \
    "one page more"
regression bigger summary "map of 1000 pinned: rw-p anon, mapping [0-9]+ \(pages\): expected 64, got 65 \(\+1, \+1.6%\)" \
    "one page more"
says "bigger: the note says the program changed" "^vmemu check: note: .*pinned changed since"
regression no_around exact "^  - #[0-9]+ .*fault file-minor read .* around=[0-9]+$" "no fault-around"
regression no_around normalized "^  - \[1000\] fault file-minor read pinned@0x0 .* around=15$" \
    "no fault-around"
says "no_around: normalized shows the run's fault without it" \
    "^  \+ \[1000\] fault file-minor read pinned@0x0 .* frame=pinned:0$"
regression no_around summary "^  pages mapped by fault-around: expected [0-9]+, got [0-9]+ \(-" \
    "no fault-around"
says "no_around: summary counts the file faults" "^  file-minor faults in data: expected [0-9]+, got"
regression cow_all exact "^  \+ #[0-9]+ \[1001\] fault cow " "every page copied"
regression cow_all normalized "^  \+ \[1001\] fault cow write anon\+0x4000 " "every page copied"
regression cow_all summary "^  cow faults in anon: expected 4, got 64 \(\+60, \+1500.0%\)$" \
    "every page copied"

# ---- the header's checks -----------------------------------------------------------------
status_is 2 "another program is refused" "$work/normalized.expected" "$build/samples/hello-musl"
says "another program: one line naming both" "refused: it was made for pinned, not hello-musl$"
status_is 2 "other arguments are refused" "$work/summary.expected" "$base" extra
says "other arguments: named" "refused: it was made for pinned with the arguments '', not 'extra'"
sed 's/^# schema: 4$/# schema: 3/' "$work/normalized.expected" >"$work/old-schema.expected"
status_is 2 "another schema is refused" "$work/old-schema.expected" "$base"
says "another schema: named" "trace schema 3, and this vmemu writes schema 4"
sed '1,/^$/d' "$work/exact.expected" >"$work/bare.expected"
status_is 2 "a trace without a header is refused" "$work/bare.expected" "$base"
says "no header: says how to remake it" "no '# vmemu expected v1' header .*--update remakes it"
sed 's/^# level: summary$/&\n# colour: blue/' "$work/summary.expected" >"$work/odd.expected"
status_is 2 "an unknown header key is refused" "$work/odd.expected" "$base"
says "unknown key: named" "'colour' is not a header key"
status_is 2 "a missing file is an error" "$work/none.expected" "$base"
says "a missing file: --update creates it" "--update creates it"
status_is 2 "--level other than the file's is refused" --level=summary "$work/normalized.expected" \
    "$base"
says "--level: says which level the file is" "it is a normalized expected file, not summary"

# Options: recorded, used when the command line gives none, refused when it gives others.
status_is 0 "--update records the options" --update --level=exact --ram=64M \
    "$work/ram.expected" "$base"
if grep -qx "# options: --ram=64M" "$work/ram.expected"; then
    pass "the header has '# options: --ram=64M'"
else
    fail "options line" "$(grep options "$work/ram.expected")"
fi
status_is 0 "the file's options are used (an exact trace with 64 MiB's frames passes)" \
    "$work/ram.expected" "$base"
sed 's/^# options: --ram=64M$/# options:/' "$work/ram.expected" >"$work/ram-none.expected"
status_is 1 "the same exact file without its options line fails (other frames)" \
    "$work/ram-none.expected" "$base"
status_is 2 "other options are refused" --ram=128M "$work/ram.expected" "$base"
says "other options: named" "made with the options '--ram=64M', not '--ram=128M'"
status_is 0 "--update keeps the level and the options" --update "$work/ram.expected" "$base"
if grep -qx "# level: exact" "$work/ram.expected" && grep -qx "# options: --ram=64M" "$work/ram.expected"; then
    pass "after --update: still exact, still --ram=64M"
else
    fail "--update keeps" "$(sed '/^$/q' "$work/ram.expected" | tr '\n' '|')"
fi

# ---- tolerances -----------------------------------------------------------------------------
# One count 2 below the run's (65 anon-new faults: 3.1%), as a noisy program might leave it.
sed 's/^anon-new anon 65$/anon-new anon 63/' "$work/summary.expected" >"$work/noisy.expected"
status_is 1 "summary: a count off by 2 fails" "$work/noisy.expected" "$base"
says "the difference in words" "^  anon-new faults in anon: expected 63, got 65 \(\+2, \+3.2%\)$"
status_is 0 "--tolerance faults=4% lets it pass" --tolerance faults=4% "$work/noisy.expected" "$base"
status_is 1 "--tolerance faults=3% does not" --tolerance=faults=3% "$work/noisy.expected" "$base"
status_is 0 "--tolerance faults=2 (absolute) lets it pass" --tolerance=faults=2 \
    "$work/noisy.expected" "$base"
status_is 1 "--tolerance rss=50% is for another class" --tolerance=rss=50% "$work/noisy.expected" \
    "$base"
status_is 0 "--update --level=summary --tolerance records it" --update --level=summary \
    --tolerance=faults=4%,rss=1% "$work/tolerant.expected" "$base"
sed -i 's/^anon-new anon 65$/anon-new anon 63/' "$work/tolerant.expected"
if grep -qx "# tolerance: faults=4%,rss=1%" "$work/tolerant.expected"; then
    pass "the header has '# tolerance: faults=4%,rss=1%'"
else
    fail "tolerance line" "$(sed '/^$/q' "$work/tolerant.expected" | tr '\n' '|')"
fi
status_is 0 "the file's tolerance is used" "$work/tolerant.expected" "$base"
status_is 2 "--tolerance on another level is an error" --tolerance=faults=1% \
    "$work/normalized.expected" "$base"
status_is 2 "a bad tolerance is an error" --tolerance=speed=1% "$work/summary.expected" "$base"
finish
