#!/usr/bin/env python3
"""Check the HTML report of samples/phases as Chromium drew it.

usage: report_dom.py DOM.html TRACE.jsonl
       report_dom.py --window T0 T1 DOM.html TRACE.jsonl

With --window the page was opened at #t=T0-T1 (zoomed in): the time views
must draw only what falls inside.

DOM.html is the document after its scripts ran (chromium --dump-dom);
TRACE.jsonl is the same run's trace, from which the expected counts are
taken. samples/phases maps A (64 pages at 0x10000000), B and C (64 pages
at 0x20000000 and 0x30000000), sweeps B while C stays untouched, maps A
again with 32 pages, splits B with mprotect, and names its four phases.
Each of the six views must be drawn with what the run did. Prints one
PASS or FAIL line per check; exit status 1 if any failed.
"""
import json
import sys
from collections import Counter
from html.parser import HTMLParser

A, B, C = 0x10000000, 0x20000000, 0x30000000
AREA = 64 * 4096
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Dom(HTMLParser):
    """Every element as (tag, attributes, the ids of the sections it is in)."""

    def __init__(self):
        super().__init__()
        self.elements, self.stack, self.text = [], [], {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        sections = [s for s in self.stack if s]
        self.elements.append((tag, a, sections))
        if tag not in VOID:
            self.stack.append(a.get("id") if tag in ("section", "table") else None)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.elements:
            tag, a, sections = self.elements[-1]
            self.text.setdefault(id(a), []).append(data)

    def find(self, tag=None, cls=None, within=None):
        out = []
        for t, a, sections in self.elements:
            if tag and t != tag:
                continue
            if cls and cls not in a.get("class", "").split():
                continue
            if within and within not in sections:
                continue
            out.append(a)
        return out

    def texts(self, a):
        return "".join(self.text.get(id(a), [])).strip()


failed = 0


def check(ok, what, detail=""):
    global failed
    print(("PASS " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    failed += not ok


def hexval(s):
    return int(s, 16)


def zoomed(t0, t1, dom, events):
    """The page opened at #t=T0-T1 draws the faults and phases of that window only."""
    points = dom.find("circle", "fault", "faults")
    inside = [e for e in events if e.get("type") == "fault" and t0 <= e["t"] <= t1]
    check(0 < len(points) == len(inside), "zoom: the faults in the window, and only them",
          "%d points, %d faults between %d and %d ns" % (len(points), len(inside), t0, t1))
    marks = [e for e in events if e.get("type") in ("exec", "rename") and t0 <= e["t"] <= t1]
    phases = dom.find("g", "phase-marker", "layout")
    check(len(phases) == len(marks), "zoom: the phases in the window", "%d of %d" % (len(phases), len(marks)))
    shown = [dom.texts(s) for s in dom.find("span") if s.get("id") == "window"]
    check(shown and shown[0].startswith("showing"), "zoom: the window is named", str(shown))
    return 1 if failed else 0


def main():
    if sys.argv[1] == "--window":
        dom = Dom()
        dom.feed(open(sys.argv[4], encoding="utf-8").read())
        events = [json.loads(l) for l in open(sys.argv[5], encoding="utf-8")]
        return zoomed(int(sys.argv[2]), int(sys.argv[3]), dom, events)
    dom = Dom()
    dom.feed(open(sys.argv[1], encoding="utf-8").read())
    events = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]

    body = dom.find("body")
    check(body and body[0].get("data-rendered") == "yes", "the scripts ran", "no data-rendered")

    # 1. The address space: A twice (64 pages, then 32), B whole then split in two, C once.
    vmas = dom.find("rect", "vma", "layout")
    def bands(start, size=None):
        return [v for v in vmas if hexval(v["data-start"]) >= start and hexval(v["data-end"]) <= start + AREA
                and (size is None or hexval(v["data-end"]) - hexval(v["data-start"]) == size)]
    check(len(bands(A, AREA)) == 1 and len(bands(A, AREA // 2)) == 1, "layout: A mapped, unmapped, mapped again",
          "%d bands of 64 pages, %d of 32" % (len(bands(A, AREA)), len(bands(A, AREA // 2))))
    check(len(bands(B, AREA)) == 1 and len(bands(B, AREA // 2)) == 2, "layout: B split in two by mprotect",
          "%d whole, %d halves" % (len(bands(B, AREA)), len(bands(B, AREA // 2))))
    check(len(bands(C)) == 1, "layout: C once", "%d bands" % len(bands(C)))
    check(all(v["data-kind"] == "anon" for v in bands(A) + bands(B) + bands(C)), "layout: the areas are anonymous")
    kinds = Counter(v["data-kind"] for v in vmas)
    check(kinds["text"] >= 1 and kinds["stack"] == 1 and kinds["vdso"] >= 1, "layout: text, stack and vdso bands",
          str(dict(kinds)))
    renames = [e["comm"] for e in events if e.get("type") == "rename"]
    phases = dom.find("g", "phase-marker", "layout")
    check(renames == ["map", "sweep", "remap", "end"] and len(phases) == 1 + len(renames),
          "layout: 5 phases (the exec and 4 renames)", "%s, %d markers" % (renames, len(phases)))

    # 2. Faults: one point per fault of the run; 64 + 32 writes in A, 64 in B, 64 in C.
    points = dom.find("circle", "fault", "faults")
    faults = [e for e in events if e.get("type") == "fault"]
    check(len(points) == len(faults), "faults: a point for every fault", "%d points, %d faults" % (len(points), len(faults)))
    def in_area(start):
        return [p for p in points if start <= hexval(p["data-addr"]) < start + AREA]
    counts = (len(in_area(A)), len(in_area(B)), len(in_area(C)))
    check(counts == (96, 64, 64), "faults: 96 in A, 64 in B, 64 in C", str(counts))
    check(all(p["data-kind"] == "anon-new" for p in in_area(A) + in_area(B) + in_area(C)),
          "faults: the areas' faults are anon-new")

    # 3. The heatmap: B hot, C cold.
    cells = dom.find("rect", "cell", "heatmap")
    def heat(start):
        hs = [float(c["data-heat"]) for c in cells
              if hexval(c["data-start"]) >= start and hexval(c["data-end"]) <= start + AREA]
        return sum(hs) / len(hs) if hs else None
    hb, hc = heat(B), heat(C)
    check(hb is not None and hb >= 0.9, "heatmap: B is hot", "mean heat %s" % hb)
    check(hc is not None and hc == 0.0, "heatmap: C is cold", "mean heat %s" % hc)

    # 4. Memory curves.
    series = [s["data-name"] for s in dom.find("polyline", "series", "memory")]
    check({"used", "anon", "slab", "page tables", "RSS anon"} <= set(series), "memory: curves drawn", str(series))

    # 5. The physical side: two zones with their free lists over time, and the frame map.
    zones = {z["data-zone"] for z in dom.find("polyline", "zone-use", "physical")}
    memory_events = [e for e in events if e.get("type") == "memory"]
    buddy = dom.find("rect", "buddy", "physical")
    check(zones == {"DMA", "DMA32"}, "physical: DMA and DMA32 in use over time", str(zones))
    check(len(buddy) == 2 * 11 * len(memory_events), "physical: every zone's 11 free lists at every sample",
          "%d cells for %d samples" % (len(buddy), len(memory_events)))
    frames = Counter(f["class"].split()[1] for f in dom.find("rect", "frame", "physical"))
    check(frames["f-free"] > 0 and frames["f-anon"] > 0 and frames["f-pagetable"] > 0 and frames["f-slab"] > 0,
          "physical: the frame map", str(dict(frames)))

    # 6. Tables: the faulting function, and strace -c's counts.
    funcs = [dom.texts(td) for td in dom.find("td", within="top-funcs")]
    check("touch" in funcs, "tables: touch() takes the faults", str(funcs[:12]))
    calls = Counter(e["name"] for e in events if e.get("type") == "syscall")
    rows = {}
    for tr_cells in zip(*[iter([dom.texts(td) for td in dom.find("td", within="syscalls")])] * 6):
        rows[tr_cells[5]] = int(tr_cells[3])
    total = rows.pop("total", None)
    check(rows == dict(calls) and total == sum(calls.values()), "tables: the syscall summary counts every call",
          "%s vs %s" % (rows, dict(calls)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
