"""Whole-process timing: item analysis + alpha + omega on 1,000,000 responses x 18 items.

Compares belonging.reliability (Feldt CI, omega from a one-factor ML model, item-rest r, alpha and
omega if deleted, response distribution) with pingouin.cronbach_alpha (alpha and its CI only) on the
same matrix, and with R psych::alpha (alpha + item statistics) when Rscript is installed. pingouin is
not a project dependency: `pip install pingouin` in the benchmark environment.

Run: python benchmarks/bench_reliability.py [--rows 1000000] [--items 18] [--repeats 7] [--no-r]

Both Python functions run on the same DataFrame in one process, interleaved, after a warm-up call;
the medians of time.perf_counter (wall) and time.process_time (CPU) over the repetitions are printed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_data(rows: int, k: int, seed: int = 1) -> pd.DataFrame:
    """One-factor Likert data (1-5) with about 2% missing answers."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(rows)[:, None]
    latent = 0.7 * theta + 0.7 * rng.standard_normal((rows, k))
    codes = np.clip(np.round(latent + 3), 1, 5)
    codes[rng.random((rows, k)) < 0.02] = np.nan
    return pd.DataFrame(codes, columns=[f"item_{j + 1:02d}" for j in range(k)])


def _timed(fn) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=18)
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repetitions (medians reported)")
    parser.add_argument("--no-r", action="store_true", help="skip the R psych::alpha comparison")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parents[1] / "src"))
    from belonging.psychometrics.reliability import reliability

    t = time.perf_counter()
    df = make_data(args.rows, args.items)
    print(f"data: {args.rows:,} x {args.items} generated in {time.perf_counter() - t:.2f} s")
    scales = {"scale": list(df.columns)}
    runners = {"belonging": lambda: reliability(df, scales)}
    try:
        import pingouin
    except ImportError:
        print("pingouin: not installed (pip install pingouin)")
    else:
        runners["pingouin"] = lambda: pingouin.cronbach_alpha(data=df, nan_policy="listwise")

    # both run on the same DataFrame in this process, interleaved, after one warm-up call each
    results = {name: fn() for name, fn in runners.items()}
    wall = {name: [] for name in runners}
    cpu = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, fn in runners.items():
            w, c, results[name] = _timed(fn)
            wall[name].append(w)
            cpu[name].append(c)
    med = {name: (float(np.median(wall[name])), float(np.median(cpu[name]))) for name in runners}

    row = results["belonging"].scales.iloc[0]
    print(f"belonging.reliability (alpha, CI, omega, item analysis): wall {med['belonging'][0]:.3f} s, "
          f"cpu {med['belonging'][1]:.3f} s (median of {args.repeats})  "
          f"alpha={row['alpha']:.6f} omega={row['omega']:.6f} n={row['n']}")
    if "pingouin" in runners:
        a, _ci = results["pingouin"]
        print(f"pingouin.cronbach_alpha {pingouin.__version__} (alpha + CI only, listwise): "
              f"wall {med['pingouin'][0]:.3f} s, cpu {med['pingouin'][1]:.3f} s (median of {args.repeats})  "
              f"alpha={a:.6f}")
    times = {name: m[0] for name, m in med.items()}

    if args.no_r:
        print("R comparison skipped (--no-r)")
    elif shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "x.csv"
            df.to_csv(path, index=False, na_rep="")
            script = (
                "suppressPackageStartupMessages(library(psych));"
                f"x <- na.omit(read.csv('{path}'));"
                "t <- system.time(a <- psych::alpha(x, warnings=FALSE))[['elapsed']];"
                "cat(sprintf('%.3f %.6f\\n', t, a$total$raw_alpha))"
            )
            out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
            if out.returncode == 0 and out.stdout.strip():
                secs, alpha = out.stdout.split()
                times["R psych"] = float(secs)
                print(f"R psych::alpha (alpha + item statistics, na.omit, timing excludes CSV read, one run): "
                      f"{float(secs):.2f} s  alpha={float(alpha):.6f}")
            else:
                print("R psych::alpha failed:", out.stderr.strip()[-300:])
    else:
        print("Rscript: not found, R comparison skipped")

    ours = times["belonging"]
    for name, secs in times.items():
        if name != "belonging":
            print(f"ratio belonging / {name} (wall): {ours / secs:.2f}")
    if "pingouin" in med:
        print(f"ratio belonging / pingouin (cpu): {med['belonging'][1] / med['pingouin'][1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
