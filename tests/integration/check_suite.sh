#!/usr/bin/env bash
# vmemu check --suite (docs/tracing.md, "Suites"): a manifest of cases that
# pass, fail (tests/check/pinned's regressions) and cannot be checked (no
# expected file, no program, a timeout) gives the same table, JUnit and
# JSON with -j1 and -j4, whatever order cases finish in; the reports parse
# (tests/integration/lib/check_reports.py) and say which case failed and
# why; the exit status is the worst case's. Then a directory suite (the
# headers say how to run each file) with --programs and --case, --update
# of a whole suite, and manifests with mistakes refused with their line.
#
# usage: check_suite.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: check_suite.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

variants="$build/tests/check"
require "$vmemu" "$variants/base/pinned" "$variants/bigger/pinned" "$variants/cow_all/pinned" \
    "$build/samples/hello-musl" "$build/samples/stack_grow-musl"
reports="python3 $src/tests/integration/lib/check_reports.py"
suite="$work/suite"
mkdir -p "$suite"

# status_is WANT LABEL CHECK-ARGS...: vmemu check's exit status; its table in $work/out.
status_is() {
    local want=$1 label=$2 rc
    shift 2
    "$vmemu" check "$@" </dev/null >"$work/out" 2>"$work/err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass "$label"
    else
        fail "$label" "status $rc, expected $want: $(head -6 "$work/out" "$work/err" | tr '\n' '|')"
    fi
}

# says LABEL PATTERN [FILE]: FILE (the last table) has a line matching the extended regex.
says() {
    local file=${3:-$work/out}
    if grep -qE -- "$2" "$file"; then
        pass "$1"
    else
        fail "$1" "no line matching '$2' in: $(head -12 "$file" | tr '\n' '|')"
    fi
}

# The expected files, made by single checks of the base program, its stdout /dev/null as a
# suite gives it (what a program writes to a regular file is in the page cache's figures).
make_expected() { # LABEL CHECK-ARGS...
    local label=$1
    shift
    if "$vmemu" check --update "$@" </dev/null >/dev/null 2>"$work/err"; then
        pass "$label"
    else
        fail "$label" "$(head -3 "$work/err" | tr '\n' '|')"
    fi
}
for l in normalized summary; do
    make_expected "a $l expected file for the suite" --level=$l "$suite/$l.expected" \
        "$variants/base/pinned"
done
make_expected "an expected file for hello-musl" "$suite/hello.expected" "$build/samples/hello-musl"

cat >"$suite/manifest" <<EOF
# Seven cases: two pass, two regressions fail, three cannot be checked.
programs = $variants

[base]
program = base/pinned
expected = normalized.expected

[base-summary]
program = base/pinned
expected = summary.expected

[bigger]
program = bigger/pinned
expected = normalized.expected

[cow_all]
program = cow_all/pinned
expected = summary.expected
level = summary

[no-expected]
program = base/pinned

[no-program]
program = nowhere/pinned
expected = normalized.expected

# Its stdin a FIFO nobody writes: the case hangs until its timeout.
[hangs]
program = base/pinned
expected = normalized.expected
stdin = never
timeout = 1
EOF
mkfifo "$suite/never"
want=(base=pass base-summary=pass bigger=fail cow_all=fail no-expected=error no-program=error
    hangs=error)

for j in 1 4; do
    status_is 2 "-j$j: a suite with an error exits 2" --suite "$suite/manifest" -j$j \
        --junit "$work/j$j.xml" --json "$work/j$j.json"
    cp "$work/out" "$work/table$j"
    if $reports "$work/j$j.xml" "$work/j$j.json" "${want[@]}" >"$work/reports"; then
        pass "-j$j: JUnit and JSON parse, each case with its result: $(cat "$work/reports")"
    else
        fail "-j$j: reports" "$(tr '\n' '|' <"$work/reports")"
    fi
done
for f in table:table j%s.xml:JUnit j%s.json:JSON; do
    a=$(printf "${f%:*}" 1) b=$(printf "${f%:*}" 4)
    [ "$a" = table ] && a=table1 b=table4
    if cmp -s "$work/$a" "$work/$b"; then
        pass "-j1 and -j4 write the same ${f#*:}"
    else
        fail "-j1 and -j4: the ${f#*:} differs" "$(diff "$work/$a" "$work/$b" | head -4 | tr '\n' '|')"
    fi
done

# -j runs cases at once: three cases that hang until their 2 s timeout take 6 s one at a
# time, about 2 s three at a time (they wait on the FIFO's open, using no CPU).
{
    echo "programs = $variants"
    for k in 1 2 3; do
        printf '[hang%s]\nprogram = base/pinned\nexpected = normalized.expected\n' $k
        printf 'stdin = never\ntimeout = 2\n'
    done
} >"$suite/hangs"
start=$(date +%s%N)
status_is 2 "-j3: three hanging cases are errors" --suite "$suite/hangs" -j3
ms=$((($(date +%s%N) - start) / 1000000))
says "-j3: each timed out" "^3 cases: 0 passed, 0 failed, 3 errors$"
if [ "$ms" -lt 5000 ]; then
    pass "-j3: the three 2 s timeouts overlap ($ms ms in all)"
else
    fail "-j3 runs cases at once" "$ms ms for three 2 s timeouts"
fi
cp "$work/table1" "$work/out"
says "the table: a header row" "^result +case +level$"
says "the table: base passes" "^pass +base +normalized$"
says "the table: bigger's row names the change" \
    "^FAIL +bigger +normalized +FAIL \(normalized\): .* differ"
says "the table: cow_all's row has the first difference" \
    "^FAIL +cow_all +summary +FAIL \(summary\): [0-9]+ difference.*; .*cow faults in anon: expected 4, got 64"
says "the table: a case without its expected file is an error" \
    "^ERROR +no-expected .*cannot read .*no-expected.expected.*--update creates it"
says "the table: so is one without its program" "^ERROR +no-program "
says "the table: a case past its timeout is stopped, and an error" \
    "^ERROR +hangs .*timed out after 1 s"
says "the totals" "^7 cases: 2 passed, 2 failed, 3 errors$"
if python3 - "$work/j1.xml" >"$work/py" 2>&1 <<'EOF'; then
import sys, xml.etree.ElementTree as ET
cases = {c.get("name"): c for c in ET.parse(sys.argv[1]).getroot().iter("testcase")}
f = cases["cow_all"].find("failure")
assert f.get("type") == "summary", f.get("type")
assert "cow faults in anon: expected 4, got 64" in f.get("message"), f.get("message")
assert "cow faults in anon: expected 4, got 64 (+60, +1500.0%)" in f.text, f.text
assert cases["bigger"].find("failure").get("type") == "normalized"
assert "--update creates it" in cases["no-expected"].find("error").text
assert cases["base"].find("system-out").text.startswith("vmemu check: ")
EOF
    pass "JUnit: the failure's type is its level, its message and text name what moved"
else
    fail "JUnit contents" "$(tr '\n' '|' <"$work/py")"
fi

# Only the passing and failing cases: the status says fail; only passing ones: pass.
status_is 1 "--case 'b*' (a pass and a fail) exits 1" --suite "$suite/manifest" --case 'b*' -j2
says "--case keeps only the cases it names" "^3 cases: 2 passed, 1 failed, 0 errors$"
status_is 0 "--case base exits 0" --suite "$suite/manifest" --case base
status_is 2 "--case matching nothing is an error" --suite "$suite/manifest" --case nothing
says "--case matching nothing: says so" "no case of .* is named 'nothing'" "$work/err"

# A manifest elsewhere than its expected files, which it names by absolute paths.
cat >"$work/elsewhere" <<EOF
programs = $build/samples
[hello-musl]
expected = $suite/hello.expected
EOF
status_is 0 "a manifest naming an expected file by its absolute path" --suite "$work/elsewhere"

# ---- a directory suite: the headers say how; --programs says where --------------------------
dir="$work/dir"
mkdir -p "$dir"
cp "$suite/normalized.expected" "$dir/pinned.expected"
cp "$suite/hello.expected" "$dir/hello-musl.expected"
status_is 0 "a directory of expected files runs as recorded" --suite "$dir" -j2
says "a directory suite: both cases pass" "^2 cases: 2 passed, 0 failed, 0 errors$"
mkdir -p "$work/progs"
cp "$variants/cow_all/pinned" "$work/progs/pinned"
cp "$build/samples/hello-musl" "$work/progs/hello-musl"
status_is 1 "--programs DIR: the programs of the headers' base names there" --suite "$dir" \
    --programs "$work/progs"
says "--programs: the changed pinned fails" "^FAIL +pinned +normalized "
status_is 0 "--update --suite rewrites every file at its level" --suite "$dir" --programs \
    "$work/progs" --update
says "--update: a row per file written" "^wrote +pinned +normalized$"
status_is 0 "after --update the suite passes" --suite "$dir" --programs "$work/progs"
if grep -qx "# level: normalized" "$dir/pinned.expected" &&
    grep -qx "# program: $variants/base/pinned" "$dir/pinned.expected"; then
    pass "--update --suite keeps the level and the recorded program path"
else
    fail "--update --suite" "$(sed '/^$/q' "$dir/pinned.expected" | tr '\n' '|')"
fi
mkdir "$work/empty-dir"
status_is 2 "a directory without expected files is an error" --suite "$work/empty-dir"
says "an empty directory: says so" "no manifest and no \*.expected file" "$work/err"

# ---- manifests with mistakes: refused, with their line --------------------------------------
refused() { # LABEL PATTERN MANIFEST-TEXT
    printf '%s\n' "$3" >"$work/bad-manifest"
    status_is 2 "$1: refused" --suite "$work/bad-manifest"
    says "$1: says where and what" "$2" "$work/err"
}
refused "an unknown key" "bad-manifest:2: 'colour' is not a key of a case" $'[a]\ncolour = blue'
refused "a bad level" "bad-manifest:2: level 'loose' is not exact" $'[a]\nlevel = loose'
refused "a second case of a name" "bad-manifest:3: a second case named 'a'" $'[a]\n\n[a]'
refused "a case name with a slash" "bad-manifest:1: '\[a/b\]' is not a \[name\]" '[a/b]'
refused "no case at all" "bad-manifest: no \[case\] in it" 'level = summary'
refused "a bad timeout" "bad-manifest:2: timeout 'soon' is not" $'[a]\ntimeout = soon'
status_is 2 "run options with --suite are refused (they belong in the manifest)" --ram=64M \
    --suite "$suite/manifest"
says "run options with --suite: says where they go" "manifest \(options = ...\)" "$work/err"
finish
