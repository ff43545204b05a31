#!/usr/bin/env python3
"""Mutation testing: seed one realistic bug at a time into a copy of the
source tree, rebuild it incrementally, run the test suite (or a subset) and
see whether a test fails. A mutant some test catches is "killed"; one the
whole selection passes is a "survivor", a bug the suite would let through.

The mutants are in tests/mutation/mutants.txt (its header gives the format).
Each names a file, a snippet that must occur in it exactly once and its
replacement. A mutant whose snippet no longer occurs exactly once is
"stale": reported, never counted as killed, so the list stays honest as the
code moves on. A mutant that does not compile is "invalid" (also reported,
not counted).

The worktree is never modified: the tracked and untracked (not ignored)
files are copied into WORKDIR/src (only files whose content changed are
rewritten, so the build there stays incremental), each mutant is written
into that copy and the original put back afterwards (with a new mtime, so
the next build compiles it again); the build lives in WORKDIR/build.
Runaway output is bounded: each mutant's log keeps at most LOG_CAP bytes,
its tests run under a time limit with their scratch files in WORKDIR/tmp
(emptied after each mutant), and the whole process group is killed when
the time is up or the disk's free space falls below DISK_FLOOR; then any
process still running a program of WORKDIR's build is killed too.

The default test selection leaves out the suite's long sweeps over every
sample (SLOW); --full runs everything, --tests/--exclude choose.

usage: run.py [--workdir DIR] [--list | --check] [--full] [--tests REGEX]
              [--exclude REGEX] [--timeout SECONDS] [--jobs N] [ID...]
"""
import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
LOG_CAP = 64 * 1024
# A mutant that loops writing (a trace, a file) is stopped before the disk
# fills: no file-size limit can do it (the emulated RAM is a memfd, which
# such a limit also caps), so the free space is watched instead.
DISK_FLOOR = 4 << 30
# The default selection: unit tests and every integration test except the
# long sweeps over all samples (each has a faster sibling in the selection).
SLOW = r"^(integration/(trace_determinism(-[01])?|fault_modes(-[01])?|alloc_fail|debian_programs|deb_package|meminfo)|fuzz/.*)$"


class Mutant:
    def __init__(self, ident, path, area):
        self.ident, self.path, self.area = ident, path, area
        self.desc, self.old, self.new = "", [], []


def parse(listfile):
    """The mutants of LISTFILE in order (format: see mutants.txt's header)."""
    mutants, cur = [], None
    with open(listfile, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("@ "):
                parts = line[2:].split()
                if len(parts) != 3:
                    sys.exit(f"{listfile}:{n}: want '@ ID FILE AREA'")
                cur = Mutant(*parts)
                mutants.append(cur)
            elif line.startswith("? ") and cur:
                cur.desc = line[2:]
            elif line[:1] and line[0] in "-+" and cur and (len(line) == 1 or line[1] == " "):
                (cur.old if line[0] == "-" else cur.new).append(line[2:])
            elif line.strip() and not line.startswith("#"):
                sys.exit(f"{listfile}:{n}: unexpected line: {line}")
    ids = [m.ident for m in mutants]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"{listfile}: duplicate ids {sorted(dup)}")
    for m in mutants:
        if not m.old or not m.desc:
            sys.exit(f"{listfile}: mutant {m.ident} lacks a snippet or a description")
    return mutants


def read_source(m, root):
    try:
        with open(os.path.join(root, m.path), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def applies(m, root):
    return read_source(m, root).count("\n".join(m.old)) == 1


def sync_tree(dst):
    """Make DST a copy of the worktree's files, rewriting only changed ones."""
    out = subprocess.run(["git", "-C", SRC, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], check=True, capture_output=True).stdout
    files = {p for p in out.decode().split("\0") if p and os.path.isfile(os.path.join(SRC, p))}
    for p in files:
        s, d = os.path.join(SRC, p), os.path.join(dst, p)
        with open(s, "rb") as f:
            data = f.read()
        try:
            with open(d, "rb") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(d), exist_ok=True)
            with open(d, "wb") as f:
                f.write(data)
            os.chmod(d, os.stat(s).st_mode & 0o777)
    for root, _, names in os.walk(dst):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), dst)
            if rel not in files:
                os.unlink(os.path.join(root, name))


def limits():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def disk_low(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize < DISK_FLOOR


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(cmd, log, timeout, cwd=None, env=None):
    """Run CMD in its own process group, its output capped into LOG.
    Returns the exit status, or None when the time ran out (or the disk)."""
    with open(log, "wb") as out:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=limits)
        try:
            return pump(p, out, timeout, log)
        except BaseException:
            kill_group(p.pid)  # stopped: take the tests down too
            raise


def pump(p, out, timeout, log):
    """Copy P's output into OUT (capped) until it ends or its time is up."""
    deadline, kept = time.monotonic() + timeout, 0
    os.set_blocking(p.stdout.fileno(), False)
    while True:
        try:
            chunk = p.stdout.read(65536)
        except BlockingIOError:
            chunk = None
        if chunk:
            if kept < LOG_CAP:
                out.write(chunk[:LOG_CAP - kept])
                kept += len(chunk)
            continue
        if p.poll() is not None and not chunk:
            kill_group(p.pid)  # whatever it left behind
            return p.returncode
        if time.monotonic() > deadline or disk_low(os.path.dirname(log)):
            kill_group(p.pid)
            p.wait()
            out.write(b"\n[mutation: time limit reached or disk nearly full, killed]\n")
            return None
        time.sleep(0.2)


def ctest_cmd(args):
    cmd = ["ctest", "-j", str(args.jobs), "--stop-on-failure", "--output-on-failure"]
    if args.tests:
        cmd += ["-R", args.tests]
    exclude = args.exclude if args.exclude is not None else ("" if args.full else SLOW)
    if exclude:
        cmd += ["-E", exclude]
    return cmd


def kill_leftovers(workdir):
    """Kill what the tests left running from WORKDIR's build: `timeout`
    puts its command in a process group of its own, out of ctest's."""
    mark = os.path.realpath(workdir).encode() + b"/"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if mark in f.read() and int(pid) not in (os.getpid(), os.getppid()):
                    os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError):
            pass


def run_tests(args, log):
    """The selected tests, their scratch files in WORKDIR/tmp (emptied after)."""
    tmp = os.path.join(args.workdir, "tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    # Without its record of test times ctest runs the tests in their order,
    # the fast unit tests first: most mutants die within seconds.
    try:
        os.unlink(os.path.join(args.build, "Testing", "Temporary", "CTestCostData.txt"))
    except FileNotFoundError:
        pass
    try:
        return run(ctest_cmd(args), log, args.timeout, args.build, dict(os.environ, TMPDIR=tmp))
    finally:
        kill_leftovers(args.workdir)
        shutil.rmtree(tmp, ignore_errors=True)


def build(args, log):
    return run(["cmake", "--build", args.build, "-j", str(args.jobs)], log, 1800)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", default=os.path.join(SRC, "build-mut"))
    ap.add_argument("--list", action="store_true", help="list the mutants and stop")
    ap.add_argument("--check", action="store_true",
                    help="only check that every snippet still occurs exactly once")
    ap.add_argument("--full", action="store_true", help="run the whole suite per mutant")
    ap.add_argument("--tests", help="ctest -R regex: only these tests")
    ap.add_argument("--exclude", help="ctest -E regex (default: the slow sweeps)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds of tests per mutant")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--mutants", default=os.path.join(HERE, "mutants.txt"))
    ap.add_argument("ids", nargs="*", help="run only these mutants")
    args = ap.parse_args()
    # Stopped (kill, Ctrl-C): unwind, so the mutated file gets its original back.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mutants = parse(args.mutants)
    if args.list:
        for m in mutants:
            print(f"{m.ident:28} {m.area:12} {m.path:28} {m.desc}")
        print(f"{len(mutants)} mutants")
        return 0
    if args.check:
        stale = [m for m in mutants if not applies(m, SRC)]
        for m in stale:
            print(f"stale {m.ident}: its snippet does not occur exactly once in {m.path}")
        print(f"{len(mutants)} mutants, {len(stale)} stale")
        return 1 if stale else 0
    if args.ids:
        unknown = set(args.ids) - {m.ident for m in mutants}
        if unknown:
            sys.exit(f"unknown mutants: {sorted(unknown)}")
        mutants = [m for m in mutants if m.ident in args.ids]

    tree = os.path.join(args.workdir, "src")
    args.build = os.path.join(args.workdir, "build")
    logs = os.path.join(args.workdir, "logs")
    os.makedirs(tree, exist_ok=True)
    os.makedirs(logs, exist_ok=True)
    t0 = time.monotonic()
    sync_tree(tree)
    subprocess.run(["cmake", "-S", tree, "-B", args.build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"mutation: {len(mutants)} mutants, tests: {' '.join(ctest_cmd(args)[1:])}", flush=True)
    # The unmutated tree must build and pass, or every mutant would look killed.
    if build(args, os.path.join(logs, "baseline-build.log")) != 0:
        sys.exit(f"the unmutated tree does not build: see {logs}/baseline-build.log")
    if run_tests(args, os.path.join(logs, "baseline.log")) != 0:
        sys.exit(f"the unmutated tree fails its tests: see {logs}/baseline.log")
    print(f"baseline passes ({time.monotonic() - t0:.0f} s)", flush=True)

    results = []
    for m in mutants:
        t1 = time.monotonic()
        path = os.path.join(tree, m.path)
        original = read_source(m, tree)
        old, new = "\n".join(m.old), "\n".join(m.new)
        log = os.path.join(logs, m.ident + ".log")
        if original.count(old) != 1:
            verdict = "stale"
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(old, new))
            try:
                if build(args, log) != 0:
                    verdict = "invalid"
                else:
                    st = run_tests(args, log)
                    verdict = "survived" if st == 0 else "killed"
                    if verdict == "killed":
                        with open(log, errors="replace") as f:
                            failed = re.findall(r"^\s*\d+ - (\S+) \(", f.read(), re.M)
                        verdict += " by " + (",".join(failed[:3]) if failed else "timeout")
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(original)  # mtime now: the next build recompiles it
        results.append((m, verdict))
        print(f"{m.ident:28} {m.area:12} {verdict} ({time.monotonic() - t1:.0f} s)", flush=True)

    build(args, os.path.join(logs, "restore-build.log"))  # leave the build unmutated
    count = {k: sum(1 for _, v in results if v.split()[0] == k)
             for k in ("killed", "survived", "stale", "invalid")}
    judged = count["killed"] + count["survived"]
    score = 100.0 * count["killed"] / judged if judged else 0.0
    elapsed = time.monotonic() - t0
    summary = (f"mutation score: {count['killed']}/{judged} killed ({score:.1f}%), "
               f"{count['survived']} survived, {count['stale']} stale, {count['invalid']} invalid; "
               f"{elapsed / 60:.1f} min")
    print(summary)
    for m, v in results:
        if v.split()[0] != "killed":
            print(f"  {v:9} {m.ident}: {m.path}: {m.desc}")
    with open(os.path.join(args.workdir, "results.txt"), "w") as f:
        for m, v in results:
            f.write(f"{m.ident}\t{v}\n")
        f.write(summary + "\n")
    return 0 if count["survived"] == 0 and count["stale"] == 0 and count["invalid"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
