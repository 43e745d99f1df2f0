"""Omega-squared interval of the omnibus table (``omega_ci_low``, ``omega_ci_high``) against R.

Reference: tests/reference/compare/make_omega_ci.R (base R 4.2.2): the Steiger (2004) interval of the
population proportion of variance explained, lambda / (lambda + N), with the noncentrality lambda of
the classic ANOVA F bounded by inverting the noncentral F distribution (R's series of central beta
distribution functions, cross-checked with ``pf(ncp =)``), for 7 outcome/grouping designs (2 to 30
groups) at 4 confidence levels, including bounds that are 0.
"""

import numpy as np
import pytest
from conftest import load_ref
from numpy.testing import assert_allclose

from belonging.groups import compare
from belonging.groups.descriptives import encode_groups
from belonging.groups.tests import omnibus

CI_TOL = 1e-6  # absolute, on the proportion-of-variance scale

REF = load_ref("omega_ci.csv")


@pytest.mark.parametrize("case", REF.to_dict("records"), ids=lambda c: f"{c['outcome']}~{c['by']}@{c['confidence']}")
def test_omega_interval_matches_r(data, case):
    codes, levels = encode_groups(data[case["by"]])
    y = data[case["outcome"]].to_numpy(dtype=np.float64)
    got = omnibus(y, codes, levels, confidence=case["confidence"]).set_index("test")
    assert len(levels) == case["k"]
    for test in ("anova", "welch_anova"):  # the Welch row repeats the sample effect sizes
        row = got.loc[test]
        assert_allclose(row["omega_squared"], case["omega_squared"], rtol=0, atol=1e-12)
        assert_allclose([row["omega_ci_low"], row["omega_ci_high"]], [case["omega_ci_low"], case["omega_ci_high"]],
                        rtol=0, atol=CI_TOL, err_msg=test)
    assert_allclose(got.loc["anova", "statistic"], case["f"], rtol=1e-12)
    # a bound R puts at 0 (the central F already below the quantile) is exactly 0 here too
    for col in ("omega_ci_low", "omega_ci_high"):
        if case[col] == 0:
            assert got.loc["anova", col] == 0.0
    assert np.isnan(got.loc["kruskal_wallis", ["omega_squared", "omega_ci_low", "omega_ci_high"]].astype(float)).all()


def test_both_branches_are_covered():
    """The reference has bounds found by root finding and bounds that are 0 (the test could fail both ways)."""
    assert (REF["omega_ci_low"] > 0).any() and (REF["omega_ci_low"] == 0).any()
    assert (REF["omega_ci_high"] > 0).any() and (REF["omega_ci_high"] == 0).any()


@pytest.mark.parametrize("confidence", [0.90, 0.95])
def test_compare_omnibus_table_carries_the_interval(data, confidence):
    res = compare(data, outcome="belonging", by="mode", confidence=confidence, model="none")
    ref = REF[(REF["outcome"] == "belonging") & (REF["by"] == "mode") & np.isclose(REF["confidence"], confidence)]
    omni = res.omnibus.set_index("test")
    assert_allclose(omni.loc["anova", ["omega_ci_low", "omega_ci_high"]].to_numpy(dtype=float),
                    ref[["omega_ci_low", "omega_ci_high"]].to_numpy()[0], rtol=0, atol=CI_TOL)
