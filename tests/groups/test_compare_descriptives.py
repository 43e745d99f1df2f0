"""Descriptives per group against R mean/sd/t.test/quantile/IQR/prop.test (tests/reference/compare)."""

import numpy as np
import pandas as pd
import pytest
from conftest import load_ref
from numpy.testing import assert_allclose, assert_array_equal

from belonging.groups.descriptives import (
    OVERALL,
    descriptives_table,
    encode_groups,
    wilson_interval,
)


def test_descriptives_match_r(grouped):
    y, codes, levels = grouped
    groups, overall = descriptives_table(y, codes, levels, confidence=0.95, midpoint=3)
    ref = load_ref("descriptives.csv")
    got = pd.concat([groups, overall], ignore_index=True)
    assert_array_equal(got["group"], [*levels, OVERALL])
    assert_array_equal(got["group"], ref["group"])
    for col in ["n", "n_favourable"]:
        assert_array_equal(got[col], ref[col])
    for col in ["mean", "sd", "se", "ci_low", "ci_high", "median", "q1", "q3", "iqr",
                "percent_favourable", "fav_ci_low", "fav_ci_high"]:
        assert_allclose(got[col], ref[col], rtol=0, atol=1e-8, err_msg=col)


def test_no_midpoint_leaves_favourable_missing(grouped):
    y, codes, levels = grouped
    groups, _ = descriptives_table(y, codes, levels)
    assert groups["percent_favourable"].isna().all()
    assert groups["mean"].notna().all()


def test_group_order_categorical_kept_else_sorted():
    s = pd.Series(pd.Categorical(["b", "a", "c", "b"], categories=["c", "b", "a", "z"]))
    codes, levels = encode_groups(s)
    assert levels == ["c", "b", "a"]
    assert_array_equal(codes, [1, 2, 0, 1])
    codes, levels = encode_groups(pd.Series(["b", "a", "c", "b"]))
    assert levels == ["a", "b", "c"]
    assert_array_equal(codes, [1, 0, 2, 1])


@pytest.mark.parametrize(("x", "n"), [(0, 10), (10, 10), (3, 7)])
def test_wilson_interval_bounds_and_edges(x, n):
    # closed form at the edges: x = 0 -> [0, z^2 / (n + z^2)]
    lo, hi = wilson_interval(x, n, 0.95)
    z2 = 1.959963984540054**2
    assert 0 <= lo <= x / n <= hi <= 1
    if x == 0:
        assert lo == 0
        assert_allclose(hi, z2 / (n + z2), rtol=1e-12)
    if x == n:
        assert_allclose(lo, n / (n + z2), rtol=1e-12)
        assert hi == 1


def test_single_response_group_has_missing_sd():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    codes = np.array([0, 0, 0, 1])
    groups, _ = descriptives_table(y, codes, ["a", "b"])
    assert np.isnan(groups.loc[1, "sd"])
    assert groups.loc[1, "mean"] == 4.0
