"""Careless-responding indices against the base-R / psych reference (tests/reference/careless)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from belonging.quality import careless as cl

REF = Path(__file__).parents[1] / "reference" / "careless"
FACTORS = [5, 4, 5]
REVERSE = [1, 6, 10]  # i02, i07, i11 (0-based)


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REF / "data.csv").to_numpy(dtype="float64")


@pytest.fixture(scope="module")
def ref():
    return pd.read_csv(REF / "indices.csv", na_values=["NA"])


def _same_nan(a, b):
    assert_array_equal(np.isnan(np.asarray(a, dtype=float)), np.isnan(np.asarray(b, dtype=float)))


def test_reference_provenance():
    text = (REF / "versions.txt").read_text()
    assert text.startswith("R version 4.")
    assert "psych 2." in text


def test_longstring_matches_rle(data, ref):
    longest, average = cl.longstring(data)
    assert_array_equal(longest, ref["longstr"].to_numpy())
    assert_allclose(average, ref["avgstr"].to_numpy(), rtol=1e-14)
    assert (longest[:12] == data.shape[1]).all()  # planted straight-liners


def test_irv_total_and_split(data, ref):
    out = cl.irv(data, splits=3)
    for j, col in enumerate(["irv", "irv1", "irv2", "irv3"]):
        _same_nan(out[:, j], ref[col])
        assert_allclose(out[:, j], ref[col].to_numpy(), rtol=1e-12, atol=1e-14, equal_nan=True)
    assert_allclose(cl.irv(data), out[:, 0], rtol=0, atol=0, equal_nan=True)


def test_mahalanobis_matches_psych_outlier(data, ref):
    d2 = cl.mahalanobis(data)
    _same_nan(d2, ref["mahad"])
    assert_allclose(d2, ref["mahad"].to_numpy(), rtol=1e-9, equal_nan=True)
    p = stats.chi2.sf(d2, df=data.shape[1])
    assert_allclose(p, ref["mahad_p"].to_numpy(), rtol=1e-8, atol=1e-300, equal_nan=True)


def test_even_odd(data, ref):
    xr = data.copy()
    xr[:, REVERSE] = 6 - xr[:, REVERSE]
    eo = cl.even_odd(xr, FACTORS)
    _same_nan(eo, ref["evenodd"])
    assert_allclose(eo, ref["evenodd"].to_numpy(), rtol=1e-12, atol=1e-14, equal_nan=True)


@pytest.mark.parametrize(("antonyms", "col", "kind"), [(False, "psychsyn", "synonym"), (True, "psychant", "antonym")])
def test_psychsyn_and_psychant(data, ref, antonyms, col, kind):
    score, n_pairs, pairs = cl.psychsyn(data, critval=0.60, antonyms=antonyms)
    _same_nan(score, ref[col])
    assert_allclose(score, ref[col].to_numpy(), rtol=1e-12, atol=1e-14, equal_nan=True)
    assert_array_equal(n_pairs, ref[f"{col}_pairs"].to_numpy())
    ref_pairs = pd.read_csv(REF / "pairs.csv").query("kind == @kind")
    names = [f"i{j + 1:02d}" for j in range(data.shape[1])]
    got = {(names[a], names[b]) for a, b in pairs}
    assert got == set(zip(ref_pairs["item_a"], ref_pairs["item_b"]))


def test_pairwise_covariance_matches_pandas(data):
    cov, n_ij = cl.pairwise_covariance(data)
    assert_allclose(cov, pd.DataFrame(data).cov().to_numpy(), rtol=1e-12)
    corr = cl.pairwise_correlation(data)
    assert_allclose(corr, pd.DataFrame(data).corr().to_numpy(), rtol=1e-12)
    assert n_ij[0, 0] == np.isfinite(data[:, 0]).sum()


def test_small_hand_cases():
    x = np.array([[1, 1, 1, 2, 2], [1, 2, 1, 2, 1], [3, np.nan, 3, 3, 3]], dtype=float)
    longest, average = cl.longstring(x)
    assert_array_equal(longest, [3, 1, 3])
    assert_allclose(average, [5 / 2, 1, 5 / 3])
    assert_allclose(cl.irv(x)[:2], [np.std([1, 1, 1, 2, 2], ddof=1), np.std([1, 2, 1, 2, 1], ddof=1)])
    assert cl.irv(x)[2] == 0.0


def test_even_odd_needs_two_factors():
    with pytest.raises(ValueError, match="at least two factors"):
        cl.even_odd(np.ones((3, 4)), [4])
    with pytest.raises(ValueError, match="columns"):
        cl.even_odd(np.ones((3, 4)), [3, 3])


def test_psychsyn_without_pairs_is_nan():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, size=(50, 6)).astype(float)
    score, n_pairs, pairs = cl.psychsyn(x, critval=0.95)
    assert len(pairs) == 0 and np.isnan(score).all() and (n_pairs == 0).all()


def test_row_order_does_not_matter(data):
    """Per-respondent values depend on the sample only through its moments, not its order."""
    rng = np.random.default_rng(7)
    perm = rng.permutation(len(data))
    d2 = cl.mahalanobis(data)
    assert_allclose(cl.mahalanobis(data[perm]), d2[perm], rtol=1e-10, equal_nan=True)
    s = cl.psychsyn(data)[0]
    assert_allclose(cl.psychsyn(data[perm])[0], s[perm], rtol=1e-10, equal_nan=True)


@pytest.mark.parametrize("df", [1, 2, 3, 6, 18, 20, 34, 100])
def test_chi2_sf_equals_scipy(df):
    """The Poisson-sum tail (even df) and scipy's (odd df) equal scipy.stats.chi2.sf to 1e-12 relative."""
    from scipy import stats

    x = np.concatenate([[0.0, 1e-12, 0.5, 1.0, 40.0, 300.0, 1e4, np.inf, np.nan], np.linspace(0.0, 250.0, 501)])
    got = cl.chi2_sf(x, df)
    ref = stats.chi2.sf(x, df)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-300)
    with pytest.raises(ValueError, match="df"):
        cl.chi2_sf(x, 0)


@pytest.mark.parametrize(("df", "x"), [(100, 1e8), (60, 1e12), (20, 1e36), (100, 1.6e8), (50, 2e14)])
def test_chi2_sf_far_tail_stays_zero(df, x):
    """Where the Horner sum overflows, the terms are taken in logs: the tail is (about) 0, as scipy's."""
    from scipy import stats

    got = cl.chi2_sf(np.array([x, 30.0]), df)
    np.testing.assert_allclose(got, stats.chi2.sf([x, 30.0], df), rtol=1e-12, atol=1e-300)
    assert got[0] < 1e-300
