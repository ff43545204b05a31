#!/usr/bin/env python3
"""Compare vmemu's strace-style syscall trace with strace -f on a native run.

usage: strace_compare.py NATIVE.strace VMEMU.trace

Both are reduced to one sequence of calls per process (processes in the
order they first appear, so native pids map onto vmemu's 1000, 1001, ...).
strace's "<unfinished ...>" and "<... resumed>" halves are joined. What
legitimately differs is normalised: process ids, addresses in the stack
and mmap area (0x7f...), the environment's address and size, the random
bytes of getrandom. Calls vmemu does not implement (rseq) and the execve
that started the run (vmemu's first exec is not a call) are left out.
Every other line must be equal. Exit status 0 if all are, 1 otherwise.
"""
import re
import sys

SKIP = {"execve", "rseq"}
LINE = re.compile(r"^(\d+)\s+(.*)$")


def native_calls(path):
    calls, pending, order = {}, {}, []
    for raw in open(path, encoding="utf-8", errors="replace"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, text = int(m.group(1)), m.group(2)
        if text.startswith(("+++", "---")):
            continue
        if text.endswith("<unfinished ...>"):
            pending[pid] = text[: -len("<unfinished ...>")].rstrip()
            continue
        r = re.match(r"^<\.\.\. \w+ resumed>\s*(.*)$", text)
        if r:  # strace cut the call after an argument's comma, or inside the parentheses
            head = pending.pop(pid, "")
            text = head + (" " if head.endswith(",") else "") + r.group(1)
        if pid not in calls:
            calls[pid] = []
            order.append(pid)
        calls[pid].append(text)
    return [calls[p] for p in order], order


def vmemu_calls(path):
    calls, order = {}, []
    for raw in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"^#\d+ \[(\d+)(?:/\d+)?\] syscall (.*)$", raw.rstrip("\n"))
        if not m:
            continue
        pid = int(m.group(1))
        if pid not in calls:
            calls[pid] = []
            order.append(pid)
        calls[pid].append(m.group(2))
    return [calls[p] for p in order], order


def normalise(text, pids):
    text = re.sub(r"\s+= ", " = ", text)
    for native, mapped in pids.items():
        text = re.sub(r"\b%d\b" % native, str(mapped), text)
    text = re.sub(r"0x7f[0-9a-f]{10}", "0x7f...", text)
    text = re.sub(r"/\* \d+ vars? \*/", "/* N vars */", text)
    if text.startswith("getrandom("):
        text = re.sub(r'^getrandom\("[^"]*"', 'getrandom("..."', text)
    return text


def main():
    native, npids = native_calls(sys.argv[1])
    vmemu, vpids = vmemu_calls(sys.argv[2])
    pids = dict(zip(npids, vpids))
    failed = 0
    compared = 0
    if len(native) != len(vmemu):
        print("FAIL: %d processes natively, %d under vmemu" % (len(native), len(vmemu)))
        failed += 1
    for n_list, v_list, pid in zip(native, vmemu, vpids):
        n_list = [normalise(c, pids) for c in n_list if c.split("(")[0] not in SKIP]
        v_list = [normalise(c, pids) for c in v_list if c.split("(")[0] not in SKIP]
        for i in range(max(len(n_list), len(v_list))):
            a = n_list[i] if i < len(n_list) else "(no more calls)"
            b = v_list[i] if i < len(v_list) else "(no more calls)"
            compared += 1
            if a != b:
                failed += 1
                if failed <= 8:
                    print("FAIL [%d] call %d:\n  strace: %s\n  vmemu:  %s" % (pid, i + 1, a, b))
    print("%d calls compared in %d processes, %d differ" % (compared, len(vmemu), failed))
    return 1 if failed or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
