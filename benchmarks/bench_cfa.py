"""Benchmark: CFA and measurement invariance cost versus n (not run in CI).

The estimator works from per-group means and covariance matrices, so its cost should be one pass over
the data plus a fit whose cost does not depend on n. This script times `belonging.cfa` (one group)
and `belonging.invariance` (four groups, four models) at n = 10,000, 100,000 and 1,000,000 on an
18-item two-factor Likert data set, and prints the time spent per million responses.

Run: python benchmarks/bench_cfa.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import belonging as bl


def make(n: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    eta = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    lam = np.r_[np.full(9, 0.8), np.full(9, 0.7)]
    factor = np.r_[np.zeros(9, int), np.ones(9, int)]
    latent = eta[:, factor] * lam + rng.normal(0, 0.6, size=(n, 18))
    codes = np.clip(np.round(3 + latent), 1, 5)
    df = pd.DataFrame(codes, columns=[f"q{j:02d}" for j in range(1, 19)])
    df["mode"] = rng.choice(["online_sync", "online_async", "hybrid", "in_person"], size=n)
    return df


def main() -> None:
    structure = {"f1": [f"q{j:02d}" for j in range(1, 10)], "f2": [f"q{j:02d}" for j in range(10, 19)]}
    print(f"{'n':>10} {'cfa s':>8} {'invariance s':>13}")
    for n in (10_000, 100_000, 1_000_000):
        df = make(n)
        t0 = time.perf_counter()
        bl.cfa(df, structure)
        t1 = time.perf_counter()
        bl.invariance(df, structure, group="mode")
        t2 = time.perf_counter()
        print(f"{n:>10} {t1 - t0:>8.2f} {t2 - t1:>13.2f}")


if __name__ == "__main__":
    main()
