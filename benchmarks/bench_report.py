"""Benchmark `belonging report`: 200 cohorts from a 200,000-response export.

Writes a seeded CSV (CCS items 0-4, two waves, mode / first_gen / international columns, cohorts of
unequal size with a few below the suppression threshold) to benchmarks/data/report_200k.csv, then
runs the report in a separate process (``write_reports``, the code behind ``belonging report``),
timing wall clock around the child and taking its peak RSS, and that of its worker processes,
from rusage. The child prints its stage timings, from which the share of chart rendering follows.

Usage: python benchmarks/bench_report.py [--responses 200000] [--cohorts 200] [--jobs 2]
                                        [--format html,pdf]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import belonging as bl
from belonging.report import write_reports
path, out, jobs, fmts = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
t1 = time.perf_counter()
responses = bl.read_export(path)
t2 = time.perf_counter()
res = write_reports(responses, "ccs", out, by="cohort", compare_by=["mode", "first_gen", "international"],
                    wave="wave", min_cell=10, seed=1, formats=fmts, jobs=jobs)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "read": t2 - t1, "write_reports": t3 - t2, "cohorts": res.cohorts,
                  "suppressed": res.suppressed, "files": len(res.paths), **{f"stage_{k}": v for k, v in res.seconds.items()}}))
"""


def make_data(path: Path, n: int, n_cohorts: int, seed: int = 20261128) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0, 0.8, n_cohorts)
    cohort = rng.choice(n_cohorts, size=n, p=weights / weights.sum())
    cohort[:15] = np.repeat([0, 1, 2], 5)  # three tiny cohorts (5 responses each) that must be suppressed
    cohort[15:][np.isin(cohort[15:], [0, 1, 2])] = 3
    names = np.array([f"Programme {i:03d}" for i in range(n_cohorts)], dtype=object)
    effect = rng.normal(0, 0.3, n_cohorts)[cohort]
    latent = rng.normal(0, 1, n) + effect
    x = np.clip(np.rint(2 + latent[:, None] + rng.normal(0, 0.9, (n, 20))), 0, 4)
    rev = [3, 4, 7, 8, 9, 11, 13, 16, 17, 19]
    x[:, rev] = 4 - x[:, rev]
    x[rng.random(x.shape) < 0.02] = np.nan
    df = pd.DataFrame(x, columns=[f"ccs_{i:02d}" for i in range(1, 21)])
    df.insert(0, "response_id", [f"R{i:07d}" for i in range(n)])
    df.insert(1, "cohort", names[cohort])
    df.insert(2, "wave", rng.choice([2024, 2025], n))
    df.insert(3, "mode", rng.choice(["online_sync", "online_async", "hybrid", "in_person"], n))
    df.insert(4, "first_gen", rng.choice(["yes", "no"], n, p=[0.35, 0.65]))
    df.insert(5, "international", rng.choice(["yes", "no"], n, p=[0.15, 0.85]))
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, float_format="%.0f")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--responses", type=int, default=200_000)
    p.add_argument("--cohorts", type=int, default=200)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--format", default="html,pdf")
    args = p.parse_args()
    data = HERE / "data" / f"report_{args.responses // 1000}k_{args.cohorts}.csv"
    if not data.exists():
        make_data(data, args.responses, args.cohorts)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(data), out, str(args.jobs), args.format],
                                stdout=subprocess.PIPE, text=True)
        stdout, _ = proc.communicate()
        wall = time.perf_counter() - start
        size = sum(f.stat().st_size for f in Path(out).iterdir())
    if proc.returncode:
        return proc.returncode
    stats = json.loads(stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest child (parent or worker)
    work = sum(stats[f"stage_{k}"] for k in ("build", "html", "pdf"))
    print(f"input: {data.name} ({data.stat().st_size / 1e6:.1f} MB), {args.responses} responses, {stats['cohorts']} cohorts "
          f"({stats['suppressed']} below min-cell), jobs={args.jobs}, formats={args.format}, CPUs={os.cpu_count()}")
    print(f"wall {wall:.1f} s; peak RSS of the largest process {peak:.0f} MB; {stats['files']} files, {size / 1e6:.1f} MB")
    print(f"  import {stats['import']:.2f} s, read {stats['read']:.2f} s, prepare (score, quality) {stats['stage_prepare']:.2f} s, "
          f"cohort reports + index {stats['stage_reports']:.1f} s wall")
    print(f"  worker time summed over cohorts: build {stats['stage_build']:.1f} s (of which charts {stats['stage_charts']:.1f} s), "
          f"HTML {stats['stage_html']:.1f} s, PDF {stats['stage_pdf']:.1f} s")
    print(f"  chart rendering share of cohort work: {stats['stage_charts'] / work:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
