"""Write the small data sets of issue 19's seven cases (seeded; run from this folder with Python 3.11, numpy).

Each file is read by make_reference.R (R's verdict) and by tests/psychometrics/test_diagnostics.py and
tests/groups/test_diagnostics_compare.py (ours). The generators are plain simulations; the seeds were
chosen because the fits below showed the problem the issue describes before it was fixed.

    python make_data.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ITEMS = [f"x{j}" for j in range(1, 10)]
EQUAL = np.array([[1, 0.3, 0.3], [0.3, 1, 0.3], [0.3, 0.3, 1]])
UNEQUAL = np.array([[1, 0.4, 0.3], [0.4, 1, 0.5], [0.3, 0.5, 1]])


def three_factors(seed: int, n: int, *, likert: bool, negative: bool, cor, low: float, high: float):
    """Nine indicators of three correlated factors, two groups ("a", "b") of n / 2 in row order."""
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal(np.zeros(3), cor, size=n)
    lam = rng.uniform(low, high, size=9)
    if negative:
        lam[[1, 5, 8]] *= -1
    x = np.column_stack([lam[j] * f[:, j // 3] + rng.normal(scale=np.sqrt(1 - lam[j] ** 2), size=n) for j in range(9)])
    if likert:
        x = np.clip(np.round(3 + 1.2 * x), 1, 5)
    data = pd.DataFrame(x, columns=ITEMS)
    data["g"] = np.where(np.arange(n) < n // 2, "a", "b")
    return data


def main() -> None:
    # case 1: a configural model that stopped short of lavaan's optimum (chi-square 0.013 above it)
    three_factors(4, 220, likert=False, negative=False, cor=EQUAL, low=0.5, high=0.85).to_csv(
        "case1_invariance.csv", index=False, float_format="%.10g")
    # case 1b: a configural model that neither lavaan nor belonging can fit (55 Likert answers per group)
    three_factors(1, 110, likert=True, negative=True, cor=EQUAL, low=0.5, high=0.85).to_csv(
        "case1_undetermined.csv", index=False)
    # case 6: a metric model at lavaan's optimum that an absolute gradient threshold called unconverged
    three_factors(49, 110, likert=True, negative=False, cor=UNEQUAL, low=0.3, high=0.9).to_csv(
        "case6_metric.csv", index=False)
    # case 2: an outcome constant within every group; and one value overall
    pd.DataFrame({"mode": ["a"] * 3 + ["b"] * 3 + ["c"] * 4, "score": [3.0] * 3 + [4.0] * 3 + [5.0] * 4}).to_csv(
        "case2_constant.csv", index=False)
    rng = np.random.default_rng(19)
    trait = rng.normal(size=200)
    likert = {f"q{j}": np.clip(np.round(3 + 0.9 * trait + rng.normal(size=200)), 1, 5) for j in range(1, 6)}
    # case 3: a sixth item with no variance
    pd.DataFrame({**likert, "q6": 3.0}).to_csv("case3_zero_variance.csv", index=False)
    # case 4: an item copied (q6 = q1) and an item that is the sum of two others (q6 = q1 + q2)
    pd.DataFrame({**likert, "q6": likert["q1"]}).to_csv("case4_copy.csv", index=False)
    pd.DataFrame({**likert, "q6": likert["q1"] + likert["q2"]}).to_csv("case4_sum.csv", index=False)
    # case 5: one factor whose first indicator carries almost no unique variance (CFA and EFA)
    f = rng.normal(size=150)
    heywood = pd.DataFrame({
        "y1": f + rng.normal(scale=0.05, size=150),
        **{f"y{j}": 0.6 * f + rng.normal(scale=0.8, size=150) for j in range(2, 6)},
    })
    heywood.to_csv("case5_heywood.csv", index=False, float_format="%.10g")
    # case 7: continuous indicators (subscale scores 0-11 with decimals) in two groups
    g = rng.normal(size=(240, 2)) @ np.array([[1.0, 0.4], [0.0, 0.9]])
    scores = {f"s{j}": np.clip(5.5 + 1.6 * g[:, (j - 1) // 3] + rng.normal(scale=1.1, size=240), 0, 11)
              for j in range(1, 7)}
    cont = pd.DataFrame({k: np.round(3 * v) / 3 for k, v in scores.items()})  # means of 3 whole-number answers
    cont["mode"] = np.repeat(["online", "in_person"], 120)
    cont.to_csv("case7_continuous.csv", index=False, float_format="%.10g")


if __name__ == "__main__":
    main()
