#!/usr/bin/env python3
"""Validate the reports of a `vmemu check --suite` run by parsing them.

usage: check_reports.py JUNIT JSON NAME=RESULT...

JUNIT must be well-formed XML in the JUnit form CI systems read: a
<testsuites> holding one <testsuite>, whose tests/failures/errors
attributes agree with its <testcase> children; each case is named, a
failing one has a <failure> with a message and its level as type, one
that could not be checked an <error>. JSON must parse, list the same
cases in the same order with the same results, and total them right.
The cases and their results must be exactly NAME=RESULT... (pass, fail
or error), in that order. Prints one line per problem; exit status 1 if
there is any, 0 (and one summary line) if none.
"""
import json
import sys
import xml.etree.ElementTree as ET

LEVELS = {"exact", "normalized", "summary"}


def junit_cases(path, problems):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        problems.append(f"{path}: not well-formed XML: {e}")
        return []
    if root.tag != "testsuites":
        problems.append(f"{path}: the root is <{root.tag}>, not <testsuites>")
    suites = root.findall("testsuite")
    if len(suites) != 1:
        problems.append(f"{path}: {len(suites)} <testsuite> elements, not 1")
        return []
    cases = []
    for tc in suites[0].findall("testcase"):
        name = tc.get("name")
        if not name or not (tc.get("classname") or "").startswith("vmemu-check."):
            problems.append(f"{path}: a <testcase> without name or vmemu-check classname")
        failure, error = tc.find("failure"), tc.find("error")
        if failure is not None and error is not None:
            problems.append(f"{path}: {name} has both <failure> and <error>")
        result = "pass"
        if failure is not None:
            result = "fail"
            if failure.get("type") not in LEVELS or not failure.get("message"):
                problems.append(f"{path}: {name}'s <failure> lacks a level type or a message")
            if not (failure.text or "").strip():
                problems.append(f"{path}: {name}'s <failure> has no report")
        elif error is not None:
            result = "error"
            if error.get("type") != "error" or not error.get("message"):
                problems.append(f"{path}: {name}'s <error> lacks its type or a message")
        elif tc.find("system-out") is None:
            problems.append(f"{path}: {name} passed without its verdict as <system-out>")
        cases.append((name, result))
    counts = {r: sum(1 for _, x in cases if x == r) for r in ("fail", "error")}
    for el in (root, suites[0]):
        want = {"tests": len(cases), "failures": counts["fail"], "errors": counts["error"]}
        for attr, n in want.items():
            if el.get(attr) != str(n):
                problems.append(f"{path}: <{el.tag}> {attr}=\"{el.get(attr)}\", counted {n}")
    return cases


def json_cases(path, problems):
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        problems.append(f"{path}: not valid JSON: {e}")
        return []
    if report.get("schema") != "vmemu-check-report":
        problems.append(f"{path}: schema is {report.get('schema')!r}")
    cases = [(c.get("name"), c.get("result")) for c in report.get("cases", [])]
    totals = report.get("totals", {})
    want = {
        "cases": len(cases),
        "passed": sum(1 for _, r in cases if r == "pass"),
        "failed": sum(1 for _, r in cases if r == "fail"),
        "errors": sum(1 for _, r in cases if r == "error"),
    }
    if totals != want:
        problems.append(f"{path}: totals {totals}, counted {want}")
    return cases


def compare_cases(path, got, wanted):
    """What differs between the cases a report lists and the wanted ones, a line each."""
    if [n for n, _ in got] != [n for n, _ in wanted]:
        return [f"{path}: cases {[n for n, _ in got]}, expected {[n for n, _ in wanted]}"]
    return [f"{path}: {n} is {r}, expected {w}" for (n, r), (_, w) in zip(got, wanted) if r != w]


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    junit, report, wanted = argv[1], argv[2], [tuple(a.split("=", 1)) for a in argv[3:]]
    problems = []
    from_junit = junit_cases(junit, problems)
    from_json = json_cases(report, problems)
    for path, got in ((junit, from_junit), (report, from_json)):
        problems += compare_cases(path, got, wanted)
    for p in problems:
        print(p)
    if not problems:
        print(f"reports agree: {len(wanted)} cases")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
