"""Omnibus and pairwise tests against R oneway.test, aov, kruskal.test, t.test, TukeyHSD, wilcox.test,
p.adjust, and formula implementations of Games-Howell, Hedges' g and the eta-squared interval
(tests/reference/compare/make_reference.R; R 4.2.2)."""

import numpy as np
import pytest
from conftest import load_ref
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from belonging.errors import UsageError
from belonging.groups.tests import ncf_interval, omnibus, pairwise

STAT_TOL = 1e-6  # test statistics and p-values
EST_TOL = 1e-8  # means, differences, CIs


def test_omnibus_matches_r(grouped):
    y, codes, levels = grouped
    got = omnibus(y, codes, levels, confidence=0.95)
    ref = load_ref("omnibus.csv")
    assert_array_equal(got["test"], ref["test"])
    for col in ["statistic", "df1", "p_value"]:
        assert_allclose(got[col], ref[col], rtol=STAT_TOL, err_msg=col)
    assert_allclose(got["df2"][:2], ref["df2"][:2], rtol=STAT_TOL)
    assert np.isnan(got["df2"][2])
    for col in ["effect_size", "es_ci_low", "es_ci_high"]:
        assert_allclose(got[col], ref[col], rtol=0, atol=STAT_TOL, err_msg=col)
    assert_allclose(got["omega_squared"][:2], ref["omega_squared"][:2], rtol=0, atol=EST_TOL)
    assert (got["n"] == len(y)).all()


def test_kruskal_epsilon_squared_is_eta_squared_of_ranks(grouped):
    y, codes, levels = grouped
    got = omnibus(y, codes, levels)
    r = stats.rankdata(y)
    ss_t = np.sum((r - r.mean()) ** 2)
    ss_b = sum(np.sum(codes == j) * (r[codes == j].mean() - r.mean()) ** 2 for j in range(len(levels)))
    assert_allclose(got.loc[2, "effect_size"], ss_b / ss_t, rtol=1e-12)


def test_ncf_interval_inverts_the_cdf():
    lo, hi = ncf_interval(5.0, 3, 200, 0.90)
    assert_allclose(stats.ncf.cdf(5.0, 3, 200, lo), 0.95, atol=1e-9)
    assert_allclose(stats.ncf.cdf(5.0, 3, 200, hi), 0.05, atol=1e-9)
    # a small F gives a lower bound of zero
    assert ncf_interval(0.2, 3, 200, 0.95)[0] == 0.0


@pytest.fixture(scope="module")
def ref_pairs():
    return load_ref("pairwise.csv")


def test_pairwise_games_howell_holm_matches_r(grouped, ref_pairs):
    y, codes, levels = grouped
    got = pairwise(y, codes, levels, confidence=0.95, correction="holm", posthoc="games-howell")
    ref = ref_pairs
    assert_array_equal(got["group_a"], ref["group_a"])
    assert_array_equal(got["group_b"], ref["group_b"])
    assert_array_equal(got["n_a"], ref["n_a"])
    for ours, theirs in [("difference", "difference"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                         ("hedges_g", "hedges_g"), ("g_ci_low", "g_ci_low"), ("g_ci_high", "g_ci_high"),
                         ("rank_biserial", "rank_biserial"), ("rb_ci_low", "rb_ci_low"), ("rb_ci_high", "rb_ci_high"),
                         ("posthoc_ci_low", "gh_ci_low"), ("posthoc_ci_high", "gh_ci_high")]:
        assert_allclose(got[ours], ref[theirs], rtol=0, atol=EST_TOL, err_msg=ours)
    for ours, theirs in [("statistic", "statistic"), ("df", "df"), ("p_value", "p_value"), ("p_adjusted", "p_holm"),
                         ("posthoc_p", "gh_p"), ("mw_u", "mw_u"), ("mw_p", "mw_p"), ("mw_p_adjusted", "mw_p_holm")]:
        assert_allclose(got[ours], ref[theirs], rtol=STAT_TOL, err_msg=ours)
    assert (got["posthoc"] == "games-howell").all()


def test_pairwise_tukey_bh_matches_r(grouped, ref_pairs):
    y, codes, levels = grouped
    got = pairwise(y, codes, levels, correction="bh", posthoc="tukey")
    assert_allclose(got["posthoc_ci_low"], ref_pairs["tukey_ci_low"], rtol=0, atol=EST_TOL)
    assert_allclose(got["posthoc_ci_high"], ref_pairs["tukey_ci_high"], rtol=0, atol=EST_TOL)
    assert_allclose(got["posthoc_p"], ref_pairs["tukey_p"], rtol=STAT_TOL)
    assert_allclose(got["p_adjusted"], ref_pairs["p_bh"], rtol=STAT_TOL)


def test_mann_whitney_matches_scipy_on_ties():
    rng = np.random.default_rng(7)
    y = rng.integers(1, 6, size=300).astype(float)
    codes = rng.integers(0, 3, size=300)
    got = pairwise(y, codes, ["a", "b", "c"])
    for row in got.itertuples():
        a, b = ["a", "b", "c"].index(row.group_a), ["a", "b", "c"].index(row.group_b)
        res = stats.mannwhitneyu(y[codes == a], y[codes == b], method="asymptotic", use_continuity=True)
        assert_allclose(row.mw_u, res.statistic, rtol=1e-12)
        assert_allclose(row.mw_p, res.pvalue, rtol=1e-10)


def test_bad_options_raise(grouped):
    y, codes, levels = grouped
    with pytest.raises(UsageError, match="`correction` must be one of"):
        pairwise(y, codes, levels, correction="fdr")
    with pytest.raises(UsageError, match="`posthoc` must be one of"):
        pairwise(y, codes, levels, posthoc="scheffe")


@pytest.mark.parametrize("k", [2, 4, 10])
@pytest.mark.parametrize("df", [2, 7.5, 97.7, 596, 20_000, np.inf])
def test_studentized_range_quadrature_matches_scipy(k, df):
    from belonging.groups._range import range_cdf, range_ppf

    q = np.array([0.3, 1.5, 3.0, 4.5, 7.0])
    assert_allclose(range_cdf(q, k, df), stats.studentized_range.cdf(q, k, df), rtol=0, atol=1e-10)
    if df in (7.5, 596):
        assert_allclose(range_ppf(0.95, k, df), stats.studentized_range.ppf(0.95, k, df), rtol=1e-10)


def test_studentized_range_far_tail_keeps_relative_accuracy():
    from belonging.groups._range import range_sf

    got = range_sf(np.array([9.0, 12.0]), 4, 150.0)
    assert_allclose(got, stats.studentized_range.sf([9.0, 12.0], 4, 150.0), rtol=1e-6)
    assert (got > 0).all()


def test_p_adjust_matches_statsmodels_and_runs_no_collection(monkeypatch):
    """Holm and BH are checked against R above; here all three against statsmodels on ties and 1s,
    and no call of gc.collect (statsmodels' multipletests runs one per call)."""
    import gc

    from statsmodels.stats.multitest import multipletests

    from belonging.groups.tests import p_adjust

    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(0, 0.2, 12), [0.05, 0.05, 1.0, 0.0]])
    expected = {m: multipletests(p, method=sm)[1] for m, sm in [("holm", "holm"), ("bh", "fdr_bh"), ("bonferroni", "bonferroni")]}
    monkeypatch.setattr(gc, "collect", lambda *a: pytest.fail("gc.collect called"))
    for method, exp in expected.items():
        assert_allclose(p_adjust(p, method), exp, rtol=1e-14, err_msg=method)


def test_pairwise_without_posthoc_leaves_its_columns_missing(grouped, ref_pairs):
    y, codes, levels = grouped
    got = pairwise(y, codes, levels, correction="holm", posthoc="none")
    assert got["posthoc_p"].isna().all() and got["posthoc_ci_low"].isna().all()
    assert_allclose(got["p_adjusted"], ref_pairs["p_holm"], rtol=STAT_TOL)
