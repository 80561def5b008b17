#!/usr/bin/env python3
"""The loads of scripts/bench-hooks, run in the guest with portcullis' programs
and the floor attached and kernel.bpf_stats_enabled=1.

usage: hooks.py LABEL N_EXEC N_MMAP N_CAPABLE LIBRARY

Runs each load, reads run_time_ns and run_cnt of every program before and
after it (bpftool prog show --json), and prints one markdown table: per load
and program, the calls, the calls per operation, ns per call, the floor's
(the empty program on the same hook) ns per call, and the ratio; where the
hook has them, the d_path floor's (bpf_d_path alone) and the parts floor's
(bpf_d_path walked through the image's exec DFAs; for capable, the
capability's line and a task record; for task_alloc and sched_process_exec,
the task records' allocation, copy, argument read and subject DFA walks) with
our ratio to each; then the whole exec path, ours against the floor's, and
against the parts floor's (the empty floor's figure on a hook with no parts). Each load runs 5% of N to warm up,
then N in 5 rounds; each figure is the median over the rounds, and a ratio is
the median of the rounds' ratios (ours and the floor's in the same round, so
a stall of the host weighs on both). Timings, never asserted.
"""
import json
import mmap
import os
import socket
import subprocess
import sys
import time
from statistics import median

ROUNDS = 5  # each figure is the median over these rounds; a ratio pairs ours and the floor's of one round
OURS = ["pc_exec", "pc_mmap_exec", "pc_mprotect_exec", "pc_exec_done", "pc_task_alloc",
        "pc_capable", "pc_mount", "pc_move_mount"]


def key(name):
    """The hook's part of a program name, as the kernel keeps it (15 characters)."""
    return name[:15][3:]


def stats():
    """(prefix, hook key) -> (run_time_ns, run_cnt) of every pc_, fl_, fd_, fw_ and fz_ (warmer) program."""
    out = subprocess.run(["bpftool", "prog", "show", "--json"], check=True,
                         capture_output=True, text=True).stdout
    result = {}
    for prog in json.loads(out):
        name = prog.get("name", "")
        if name[:3] in ("pc_", "fl_", "fd_", "fw_", "fz_"):
            result[name[:3], key(name)] = (prog.get("run_time_ns", 0), prog.get("run_cnt", 0))
    return result


def measure(load, n, stray=None):
    """(prefix, hook key) -> (Δrun_time_ns, Δrun_cnt) over load(n), less stray's."""
    before = stats()
    load(n)
    after = stats()
    stray = stray or {}
    return {k: tuple(after[k][i] - before.get(k, (0, 0))[i] - stray.get(k, (0, 0))[i] for i in (0, 1))
            for k in after}


def exec_load(n):
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                os.execv("/bin/true", ["true"])
            finally:
                os._exit(127)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            sys.exit(f"/bin/true failed: wait status {status}")


def new_files_load(directory, total):
    """fork+exec of a file never executed before, each time: `total` copies of
    /bin/true with bytes of their own (content rules hash each at its first exec)."""
    os.makedirs(directory, exist_ok=True)
    data = open("/bin/true", "rb").read()
    paths = []
    for i in range(total):
        path = os.path.join(directory, f"new-{i}")
        with open(path, "wb") as f:
            f.write(data + f"\0bench-new-{i}-{os.getpid()}".encode())
        os.chmod(path, 0o755)
        paths.append(path)
    state = {"next": 0}

    def load(n):
        for _ in range(n):
            path = paths[state["next"]]
            state["next"] += 1
            pid = os.fork()
            if pid == 0:
                try:
                    os.execv(path, ["new"])
                finally:
                    os._exit(127)
            _, status = os.waitpid(pid, 0)
            if status != 0:
                sys.exit(f"{path} failed: wait status {status}")
    return load


def mmap_load(library):
    def load(n):
        with open(library, "rb") as f:
            for _ in range(n):
                mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE,
                          prot=mmap.PROT_READ | mmap.PROT_EXEC).close()
    return load


def capable_load(n):
    name = socket.gethostname()
    for _ in range(n):
        socket.sethostname(name)


def row(load_name, name, calls, per_op, ns, floor_ns, ratio, dpath=None, parts=None):
    """dpath, parts: (ns/call, our ratio to it) of the d_path floor and of the
    parts floor on the same hook, where there is one."""
    extra = " | ".join(f"{f[0]:.0f} | {f[1]:.2f}" if f else " | " for f in (dpath, parts))
    print(f"| {load_name} | {name} | {calls} | {per_op} | {ns:.0f} | {floor_ns:.0f} | {ratio:.2f} | {extra} |")


def other_floor(rounds, prefix, name, ns):
    """(median ns/call, median of our ratio to it) of floor `prefix` on the hook, or None."""
    figures = [r.get((prefix, key(name))) for r in rounds]
    if not all(f and f[1] for f in figures):
        return None
    floor_ns = [t / c for t, c in figures]
    return median(floor_ns), median([a / b for a, b in zip(ns, floor_ns)])


def main():
    label, n_exec, n_mmap, n_capable, library = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5]
    n_new = max(n_exec // 5, ROUNDS)
    loads = [("exec", f"fork+exec /bin/true", n_exec, exec_load),
             ("exec-new", "fork+exec of a new file each time", n_new,
              new_files_load("/dev/shm/bench-new", max(n_new // 20, 1) + n_new)),
             ("mmap", f"mmap PROT_EXEC {library}", n_mmap, mmap_load(library)),
             ("capable", "sethostname (CAP_SYS_ADMIN)", n_capable, capable_load)]
    print(f"hooks: {label}")
    print("| load | program | calls | per op | ns/call | floor ns/call | ratio | d_path floor ns/call | ratio to it "
          "| parts floor ns/call | ratio to it |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    # What reading the statistics itself adds (bpftool's exec, mappings and
    # capability checks), taken off every round's figures.
    stray = measure(lambda n: None, 0)
    for load_name, what, n, load in loads:
        started = time.monotonic()
        load(max(n // 20, 1))  # warm-up: the programs' code translated, caches filled
        per_round = n // ROUNDS
        rounds = [measure(load, per_round, stray) for _ in range(ROUNDS)]
        seconds = time.monotonic() - started
        paths = [(0.0, 0.0)] * ROUNDS  # per round: (our whole exec path, the floor's), ns per exec
        parts = [0.0] * ROUNDS  # per round: the parts floor's whole path (the empty floor where a hook has none)
        for name in OURS:
            ours = [r.get(("pc_", key(name)), (0, 0)) for r in rounds]
            floor = [r.get(("fl_", key(name)), (0, 0)) for r in rounds]
            calls = sum(c for _, c in ours)
            if calls < n / 10:  # a hook this load is not about
                continue
            ns = [t / c if c > 0 else float("nan") for t, c in ours]
            floor_ns = [t / c if c > 0 else float("nan") for t, c in floor]
            paths = [(p + ours[i][0] / per_round, f + floor[i][0] / per_round) for i, (p, f) in enumerate(paths)]
            for i, r in enumerate(rounds):
                part = r.get(("fw_", key(name)))
                parts[i] += (part[0] if part and part[1] else floor[i][0]) / per_round
            row(load_name, name, calls, f"{calls / (per_round * ROUNDS):.2f}", median(ns), median(floor_ns),
                median([a / b for a, b in zip(ns, floor_ns)]),
                other_floor(rounds, "fd_", name, ns), other_floor(rounds, "fw_", name, ns))
        if load_name in ("exec", "exec-new"):
            row(load_name, "whole exec path (ns per exec)", f"{per_round * ROUNDS} execs", "",
                median([p for p, _ in paths]), median([f for _, f in paths]),
                median([p / f for p, f in paths]))
            row(load_name, "whole exec path against the parts", f"{per_round * ROUNDS} execs", "",
                median([p for p, _ in paths]), median(parts),
                median([p / f for (p, _), f in zip(paths, parts)]))
        warmers = []
        for name in OURS:
            warm = [r.get(("fz_", key(name))) for r in rounds]
            if all(w and w[1] for w in warm) and sum(w[1] for w in warm) >= n / 10:
                warmers.append(f"{name[3:]} {median([t / c for t, c in warm]):.0f}")
        if warmers:
            print(f"hooks: {label}: load {load_name}: the warmers, first on their hooks and not counted, ns/call: "
                  + ", ".join(warmers))
        print(f"hooks: {label}: load {load_name}: {what}, {ROUNDS} rounds of {per_round} after "
              f"{max(n // 20, 1)} to warm up, {seconds:.0f} s")


if __name__ == "__main__":
    main()
