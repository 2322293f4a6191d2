#!/usr/bin/env python3
"""CPU and wall time of commands run in alternating turns (one of each per
round, two warm-up rounds), for comparing two builds on a busy machine where
minute-to-minute speed drifts: prints each command's medians and, for each
command after the first, the median and quartiles of the per-round ratios
first/that one. CPU is user + system from wait4's rusage. Every run must
exit 0. It asserts nothing about time.

    python3 host/benches/cpu_pairs.py ROUNDS "CMD ARGS..." "CMD ARGS..." [...]
"""
import os, subprocess, sys, time, statistics
cmds = [c.split() for c in sys.argv[2:]]
n = int(sys.argv[1])
res = [[] for _ in cmds]  # (wall, cpu)
for i in range(n + 2):
    for j, c in enumerate(cmds):
        t = time.perf_counter()
        p = subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        w = time.perf_counter() - t
        assert status == 0, c
        if i >= 2:
            res[j].append((w * 1000, (ru.ru_utime + ru.ru_stime) * 1000))
for j, c in enumerate(cmds):
    print(f"{os.path.basename(c[0])[:12]:12} wall median {statistics.median(x[0] for x in res[j]):6.1f} ms  cpu median {statistics.median(x[1] for x in res[j]):6.1f} ms")
for j in range(1, len(cmds)):
    rw = sorted(res[0][k][0] / res[j][k][0] for k in range(n))
    rc = sorted(res[0][k][1] / res[j][k][1] for k in range(n))
    q = lambda r, p: r[int(p * (len(r) - 1))]
    print(f"cmd0/cmd{j}: wall ratio median {q(rw,.5):.2f} ({q(rw,.25):.2f}-{q(rw,.75):.2f}), cpu ratio median {q(rc,.5):.2f} ({q(rc,.25):.2f}-{q(rc,.75):.2f})")
