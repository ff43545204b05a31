#!/usr/bin/env bash
# The HTML report, the access heatmap and the Perfetto trace, on
# samples/phases (areas mapped, touched, swept, unmapped and mapped again
# in four named phases):
#  - one run writes --html, --perfetto and its JSON Lines trace; a second
#    run gives byte-identical files (heatmap included);
#  - `vmemu report` of that trace gives the same HTML and Perfetto files;
#  - the heatmap's data says the swept area is hot and the other cold;
#  - the Perfetto file is valid JSON with an event for every syscall,
#    fault, process event and memory sample of the trace;
#  - the HTML is self-contained (nothing fetched), and headless Chromium
#    draws its six views with the run's VMAs, faults and phases
#    (tests/integration/lib/report_dom.py);
#  - `vmemu report` refuses broken input with one line and status 1.
#
# usage: report.sh BUILD_DIR SOURCE_DIR
. "${2:?usage: report.sh BUILD_DIR SOURCE_DIR}/tests/lib.sh"

bin="$build/samples/phases-musl"
rounds=80000 # about 50 ms of virtual time: five aggregations of samples at 500 us
require "$vmemu" "$bin"

run_report() { # DIR: a run writing DIR/report.html, DIR/perfetto.json and DIR/trace.jsonl
    mkdir -p "$1"
    "$vmemu" run --quiet --html="$1/report.html" --perfetto="$1/perfetto.json" --trace=all \
        --trace-format=jsonl --trace-file="$1/trace.jsonl" "$bin" $rounds >"$1/stdout"
}

if ! run_report "$work/1" || ! run_report "$work/2"; then
    fail run "vmemu failed"
    finish
    exit
fi
echo "  sizes: HTML $(wc -c <"$work/1/report.html") bytes, Perfetto $(wc -c <"$work/1/perfetto.json") bytes, trace $(wc -c <"$work/1/trace.jsonl") bytes"

for f in report.html perfetto.json trace.jsonl; do
    if cmp -s "$work/1/$f" "$work/2/$f"; then
        pass "two runs give the same $f"
    else
        fail "$f" "two runs differ: $(cmp "$work/1/$f" "$work/2/$f" | head -1)"
    fi
done

if "$vmemu" report "$work/1/trace.jsonl" -o "$work/again.html" --perfetto "$work/again.json" &&
    cmp -s "$work/1/report.html" "$work/again.html" && cmp -s "$work/1/perfetto.json" "$work/again.json"; then
    pass "vmemu report of the trace gives the run's HTML and Perfetto files"
else
    fail "vmemu report" "its files differ from the run's"
fi

# The heatmap's data: every aggregation of the sweep phase finds B used in
# (nearly) every sample and C in none.
python3 - "$work/1/trace.jsonl" >"$work/heat" <<'EOF' && pass "heatmap data: $(cat "$work/heat")" || fail heatmap "$(cat "$work/heat")"
import json, sys
B, C, AREA = 0x20000000, 0x30000000, 64 * 4096
events = [json.loads(l) for l in open(sys.argv[1])]
sweep = [e["t"] for e in events if e.get("type") == "rename"]
start, end = sweep[1], sweep[2]  # the sweep phase
aggs = [e for e in events if e.get("type") == "access" and start < e["t"] <= end]
def rate(e, area):
    hits = [(int(r[1], 16) - int(r[0], 16), r[2]) for r in e["regions"]
            if int(r[0], 16) >= area and int(r[1], 16) <= area + AREA]
    size = sum(h[0] for h in hits)
    return sum(h[0] * h[1] for h in hits) / size / e["samples"] if size else None
hot = [rate(e, B) for e in aggs]
cold = [rate(e, C) for e in aggs]
ok = len(aggs) >= 3 and all(h is not None and h >= 0.9 for h in hot) and all(c == 0 for c in cold)
print("%d aggregations in the sweep: B used in %s of the samples, C in %s"
      % (len(aggs), ", ".join("%.2f" % h for h in hot), ", ".join("%.2f" % c for c in cold)))
sys.exit(0 if ok else 1)
EOF

python3 - "$work/1/perfetto.json" "$work/1/trace.jsonl" >"$work/pf" <<'EOF' && pass "perfetto: $(cat "$work/pf")" || fail perfetto "$(cat "$work/pf")"
import json, sys
from collections import Counter
trace = json.load(open(sys.argv[1]))  # valid JSON, or this fails
events = [json.loads(l) for l in open(sys.argv[2])]
types = Counter(e["type"] for e in events)
got = Counter((e["ph"], e.get("cat")) for e in trace["traceEvents"])
rss = sum(len(e["rss"]) for e in events if e["type"] == "memory")
want = {("X", "syscall"): types["syscall"], ("i", "fault"): types["fault"],
        ("i", "proc"): types["exec"] + types["rename"] + types["fork"] + types["exit"] + types["signal"],
        ("C", "memory"): types["memory"] + rss + types["access"]}
bad = {k: (got[k], v) for k, v in want.items() if got[k] != v}
names = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M"}
slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
ok = not bad and "phases-musl" in names and all(e["dur"] >= 0 and e["args"]["call"] for e in slices)
print("%d events: %s" % (len(trace["traceEvents"]), dict(got)) if ok else "counts (got, want): %s, names %s" % (bad, names))
sys.exit(0 if ok else 1)
EOF

# Self-contained: no stylesheet, script or image comes from anywhere else.
html="$work/1/report.html"
if grep -Eq '<(link|img|iframe)|<script[^>]* src=|url\(|@import' "$html" ||
    grep -o 'https\?://[^"'"'"' )]*' "$html" | grep -vqx 'http://www.w3.org/2000/svg'; then
    fail self-contained "the report refers to something outside it"
else
    pass "the report is self-contained"
fi

chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ]; then
    fail dom "chromium is not installed (.ci/deps.sh installs it)"
else
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --virtual-time-budget=10000 --dump-dom "file://$html" >"$work/dom.html" 2>"$work/chromium.err"
    if python3 "$src/tests/integration/lib/report_dom.py" "$work/dom.html" "$work/1/trace.jsonl" >"$work/dom"; then
        pass "Chromium draws the six views: $(grep -c '^PASS' "$work/dom") checks"
    else
        fail dom "the drawn report is wrong"
        grep -v '^PASS' "$work/dom" | sed 's/^/    /'
        [ -s "$work/dom.html" ] || sed 's/^/    chromium: /' "$work/chromium.err" | tail -5
    fi
    # Zoomed in on the first 20 us (the map phase and the start of the sweep), by the address.
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --virtual-time-budget=10000 --dump-dom "file://$html#t=0-20000" >"$work/zoom.html" 2>/dev/null
    if python3 "$src/tests/integration/lib/report_dom.py" --window 0 20000 "$work/zoom.html" \
        "$work/1/trace.jsonl" >"$work/zoom"; then
        pass "zoomed in, the views draw the window only: $(grep -c '^PASS' "$work/zoom") checks"
    else
        fail zoom "the zoomed report is wrong"
        grep -v '^PASS' "$work/zoom" | sed 's/^/    /'
    fi
fi

# Broken input: one line, status 1, and no report.
head -c 100 "$work/1/trace.jsonl" >"$work/cut.jsonl"
sed 's/"version":[0-9]*/"version":2/' "$work/1/trace.jsonl" >"$work/v2.jsonl"
: >"$work/empty.jsonl"
for input in cut v2 empty missing; do
    "$vmemu" report "$work/$input.jsonl" -o "$work/$input.html" 2>"$work/err"
    st=$?
    if [ $st = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -q '^vmemu report: ' "$work/err" &&
        [ ! -e "$work/$input.html" ]; then
        pass "vmemu report refuses a $input trace: $(cat "$work/err")"
    else
        fail "$input trace" "status $st, stderr: $(head -3 "$work/err")"
    fi
done
finish
