"""Benchmark `belonging report`: 200 cohorts from a 200,000-response export, and the README sample.

Writes a seeded CSV (CCS items 0-4, two waves, mode / first_gen / international columns, cohorts of
unequal size with a few below the suppression threshold) to benchmarks/data/, then runs the report in
a separate process (``write_reports``, the code behind ``belonging report``), timing wall clock around
the child and taking the CPU time and peak RSS of the child and every process under it (workers
included) from rusage. The child prints its stage timings; the script prints the share of each stage
(read and prepare, statistics, charts, HTML, PDF), the bytes per cohort report and the machine load
(``os.getloadavg``) before and after, since the machine may be shared.

``--readme`` times the README's first Quickstart command (9 cohorts of the bundled sample) instead,
as a user runs it: ``belonging report ...`` in a fresh process.

Usage: python benchmarks/bench_report.py [--responses 200000] [--cohorts 200] [--jobs 2]
                                        [--format html,pdf] [--readme]
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
sizes = {ext: [p.stat().st_size for p in res.paths if p.suffix == ext and p.name != "index.html"] for ext in (".html", ".pdf")}
import resource
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu_parent": own.ru_utime + own.ru_stime, "import": t1 - t0, "read": t2 - t1, "write_reports": t3 - t2, "cohorts": res.cohorts,
                  "suppressed": res.suppressed, "files": len(res.paths), "sizes": sizes,
                  **{f"stage_{k}": v for k, v in res.seconds.items()}}))
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


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def readme() -> int:
    """Time the README's first Quickstart command (its `belonging report ...` part) in a fresh process."""
    import re
    import shlex

    root = HERE.parent
    text = (root / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in re.findall(r"```bash\n(.*?)\n```", text, re.S) if "belonging report" in ln)
    argv = shlex.split(line.split("&&", 1)[1])
    with tempfile.TemporaryDirectory() as out:
        argv[argv.index("-o") + 1] = out
        load, start = _load(), time.perf_counter()
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True)
        wall = time.perf_counter() - start
        cpu0 = _cpu()  # CPU of the whole job: the same command in one process (workers are not our children)
        serial = subprocess.run([*argv, "-j", "1"], cwd=root, capture_output=True, text=True)
        cpu = _cpu() - cpu0
        files = sorted(Path(out).iterdir())
        html = [f.stat().st_size for f in files if f.suffix == ".html" and f.name != "index.html"]
        pdf = [f.stat().st_size for f in files if f.suffix == ".pdf"]
    if done.returncode or serial.returncode:
        print(done.stderr, serial.stderr)
        return done.returncode or serial.returncode
    print(f"README command 1 ({' '.join(argv[:2])} ... {len(files)} files): wall {wall:.1f} s; CPU {cpu:.1f} s "
          f"(the same with -j 1, one process); CPUs={os.cpu_count()}, load before {load}, after {_load()}")
    print(f"  per cohort report: HTML {sum(html) / len(html) / 1e3:.0f} KB (max {max(html) / 1e3:.0f}), "
          f"PDF {sum(pdf) / len(pdf) / 1e3:.0f} KB (max {max(pdf) / 1e3:.0f})")
    print("  " + done.stderr.strip().splitlines()[-1])
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--responses", type=int, default=200_000)
    p.add_argument("--cohorts", type=int, default=200)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--format", default="html,pdf")
    p.add_argument("--readme", action="store_true", help="time the README's first Quickstart command instead")
    args = p.parse_args()
    if args.readme:
        return readme()
    data = HERE / "data" / f"report_{args.responses // 1000}k_{args.cohorts}.csv"
    if not data.exists():
        make_data(data, args.responses, args.cohorts)
    with tempfile.TemporaryDirectory() as out:
        load, cpu0, start = _load(), _cpu(), time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(data), out, str(args.jobs), args.format],
                                stdout=subprocess.PIPE, text=True)
        stdout, _ = proc.communicate()
        wall, cpu = time.perf_counter() - start, _cpu() - cpu0
        size = sum(f.stat().st_size for f in Path(out).iterdir())
    if proc.returncode:
        return proc.returncode
    stats = json.loads(stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest child (parent or worker)
    st = {k: stats[f"stage_{k}"] for k in ("prepare", "build", "charts", "html", "pdf")}
    prepare = stats["read"] + st["prepare"]
    statistics = st["build"] - st["charts"]
    total = prepare + statistics + st["charts"] + st["html"] + st["pdf"]
    print(f"input: {data.name} ({data.stat().st_size / 1e6:.1f} MB), {args.responses} responses, {stats['cohorts']} cohorts "
          f"({stats['suppressed']} below min-cell), jobs={args.jobs}, formats={args.format}, CPUs={os.cpu_count()}")
    cpu = stats["cpu_parent"] + (stats["stage_cpu"] if args.jobs > 1 else 0.0)
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s (this process plus the cohort work in workers); load before {load}, after {_load()}; "
          f"peak RSS of the largest process {peak:.0f} MB; {stats['files']} files, {size / 1e6:.1f} MB")
    print(f"  import {stats['import']:.2f} s, read {stats['read']:.2f} s, prepare (score, quality, joint suppression) "
          f"{st['prepare']:.2f} s, cohort reports + index {stats['stage_reports']:.1f} s wall")
    print(f"  time per stage (worker time summed over cohorts): read and prepare {prepare:.1f} s ({prepare / total:.0%}), "
          f"statistics {statistics:.1f} s ({statistics / total:.0%}), charts {st['charts']:.1f} s ({st['charts'] / total:.0%}), "
          f"HTML {st['html']:.1f} s ({st['html'] / total:.0%}), PDF {st['pdf']:.1f} s ({st['pdf'] / total:.0%})")
    for ext in (".html", ".pdf"):
        sizes = stats["sizes"][ext]
        if sizes:
            print(f"  {ext[1:].upper()} per cohort report: mean {sum(sizes) / len(sizes) / 1e3:.0f} KB, max {max(sizes) / 1e3:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
