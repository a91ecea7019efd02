"""Inference workers run at a lower scheduling priority than the event loops (issue 12, item 1), so a
CPU-bound model that saturates every core cannot take the CPU from accepting and /ping.

Read from the kernel itself: /proc/PID/task/TID/comm names each thread, /proc/PID/task/TID/stat field 19
is its nice value.
"""
from __future__ import annotations

import os

from conftest import ZOO, wait_until


def thread_nice(pid: int) -> dict[str, int]:
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except FileNotFoundError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out[name] = int(fields[16])  # field 19 of stat; fields[0] is field 3
    return out


def test_workers_run_below_the_event_loops(start_server):
    server = start_server(["--model-dir", str(ZOO / "breast-cancer-logreg" / "v1"), "--workers", "2"])
    assert wait_until(lambda: any(n.startswith("tandem-worker") for n in thread_nice(server.pid)))
    nice = thread_nice(server.pid)
    workers = {n: v for n, v in nice.items() if n.startswith("tandem-worker")}
    loops = {n: v for n, v in nice.items() if n.startswith("tandem-loop")}
    assert workers and loops, nice
    assert all(v == 10 for v in workers.values()), workers
    assert all(v == 0 for v in loops.values()), loops


def test_worker_nice_is_configurable(start_server):
    server = start_server(["--model-dir", str(ZOO / "breast-cancer-logreg" / "v1")], env={"TANDEM_WORKER_NICE": "0"})
    assert wait_until(lambda: any(n.startswith("tandem-worker") for n in thread_nice(server.pid)))
    workers = {n: v for n, v in thread_nice(server.pid).items() if n.startswith("tandem-worker")}
    assert all(v == 0 for v in workers.values()), workers
