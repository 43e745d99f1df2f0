"""Whole-process timing of belonging.compare on 1,000,000 responses in 2,000 sections, 4 modes.

Each scenario runs in its own child process (so peak memory is its own), on data generated in that
process with a fixed seed: 4 participation modes with unequal sizes and SDs, 2,000 course sections
(random intercept SD 0.25) in 20 strata, two covariates, three participation measures, weights; for the
waves scenario, 500,000 respondents answering two waves (1,000,000 rows). Printed per scenario: wall
time of the compare() call, CPU time of the call, peak RSS of the child, and the wall time of the same
call at 1/4 and 1/2 of the rows, to show that nothing grows faster than linearly.

Run: python benchmarks/bench_compare.py [--rows 1000000] [--sections 2000] [--scenario NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SCENARIOS = ("tests", "mixed", "ols_cluster", "weighted", "participation", "waves")


def make_data(rows: int, sections: int, seed: int = 1):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    modes = np.array(["in_person", "hybrid", "online_sync", "online_async"])
    m = rng.choice(4, size=rows, p=[0.4, 0.25, 0.2, 0.15])
    sec = rng.integers(0, sections, size=rows)
    u = rng.normal(0, 0.25, sections)
    first_gen = rng.integers(0, 2, size=rows)
    gpa = rng.normal(3.0, 0.45, size=rows)
    forum = rng.poisson(4 + 5 * (m == 3))
    breakout = rng.poisson(2 + 3 * (m == 1))
    live = rng.gamma(3, 1.5, size=rows).round(1)
    mu = np.array([3.6, 3.45, 3.3, 3.05])[m]
    sd = np.array([0.55, 0.65, 0.75, 0.9])[m]
    y = mu + u[sec] - 0.12 * first_gen + 0.2 * (gpa - 3) + 0.04 * (forum - 5) + rng.normal(0, 1, rows) * sd
    y = np.clip(np.round(y * 8) / 8, 1, 5)
    return pd.DataFrame({
        "response_id": np.arange(rows), "mode": pd.Categorical.from_codes(m, modes), "section": sec,
        "stratum": sec % 20, "weight": rng.uniform(0.5, 3.0, rows), "first_gen": first_gen, "prior_gpa": gpa,
        "forum_posts": forum, "breakout_sessions": breakout, "live_hours": live, "belonging": y,
    })


def make_waves(rows: int, seed: int = 2):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    people = rows // 2
    m = rng.choice(4, size=people, p=[0.4, 0.25, 0.2, 0.15])
    person = rng.normal(0, 0.45, people)
    gain = np.array([0.1, 0.05, 0.0, -0.15])[m]
    mu = np.array([3.6, 3.45, 3.3, 3.05])[m]
    ids = np.arange(people)
    y1 = mu + person + rng.normal(0, 0.45, people)
    y2 = mu + person + gain + rng.normal(0, 0.45, people)
    modes = np.array(["in_person", "hybrid", "online_sync", "online_async"])
    return pd.DataFrame({
        "response_id": np.concatenate([ids, ids]), "wave": np.repeat([1, 2], people),
        "mode": pd.Categorical.from_codes(np.concatenate([m, m]), modes), "belonging": np.concatenate([y1, y2]),
    })


def run_scenario(name: str, rows: int, sections: int) -> dict:
    from belonging.groups import compare

    df = make_waves(rows) if name == "waves" else make_data(rows, sections)
    kwargs = {
        "tests": {"midpoint": 3},
        "mixed": {"covariates": ["first_gen", "prior_gpa"], "cluster": "section", "model": "mixed"},
        "ols_cluster": {"covariates": ["first_gen", "prior_gpa"], "cluster": "section", "model": "ols"},
        "weighted": {"weights": "weight", "strata": "stratum", "cluster": "section", "model": "none", "midpoint": 3},
        "participation": {"participation": ["forum_posts", "breakout_sessions", "live_hours"],
                          "covariates": ["first_gen", "prior_gpa"], "cluster": "section", "model": "none"},
        "waves": {"wave": "wave"},
    }[name]
    wall, cpu = time.perf_counter(), time.process_time()
    res = compare(df, outcome="belonging", by="mode", **kwargs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    check = {"mean": float(res.overall["mean"].iloc[0]), "icc": res.icc}
    if name == "waves":
        check["icc"] = res.wave_variance.get("icc")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"scenario": name, "rows": rows, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak, **check}


def child(name: str, rows: int, sections: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1] / "src"))
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--rows", str(rows), "--sections", str(sections)],
        check=True, capture_output=True, text=True, env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sections", type=int, default=2_000)
    parser.add_argument("--scenario", nargs="*", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_scenario(args.child, args.rows, args.sections)))
        return 0
    print(f"{'scenario':<14} {'rows':>9} {'wall s':>8} {'CPU s':>7} {'peak MB':>8}   check")
    for name in args.scenario:
        for rows in (args.rows // 4, args.rows // 2, args.rows):
            r = child(name, rows, args.sections)
            icc = "" if r["icc"] is None else f" icc={r['icc']:.4f}"
            print(f"{name:<14} {rows:>9,} {r['wall_s']:>8.2f} {r['cpu_s']:>7.2f} {r['peak_rss_mb']:>8.0f}   "
                  f"mean={r['mean']:.4f}{icc}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
