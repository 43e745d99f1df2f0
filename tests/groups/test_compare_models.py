"""OLS (HC3, cluster-robust) against R lm + sandwich + lmtest, and the REML random-intercept model
against R nlme::lme 3.1-162 (tests/reference/compare/make_reference.R)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import load_ref
from numpy.testing import assert_allclose, assert_array_equal

from belonging.errors import DataValidationError
from belonging.groups.models import build_design, contrasts, fit_mixed, fit_ols

EST_TOL = 1e-8
MIXED_TOL = 1e-4


@pytest.fixture(scope="module")
def design(data, grouped):
    _, codes, levels = grouped
    return build_design(data, by="mode", levels=levels, codes=codes, covariates=["first_gen", "prior_gpa"])


@pytest.mark.parametrize("label", ["ols_hc3", "ols_cluster"])
def test_ols_matches_r_sandwich(data, grouped, design, label):
    y = grouped[0]
    cluster = pd.factorize(data["section"])[0] if label == "ols_cluster" else None
    table, _, _, df = fit_ols(design.x, y, design.names, cluster=cluster, confidence=0.95)
    ref = load_ref("ols.csv").query("model == @label").reset_index(drop=True)
    assert_array_equal(table["term"], ref["term"])
    for col in ["estimate", "se", "ci_low", "ci_high"]:
        assert_allclose(table[col], ref[col], rtol=0, atol=EST_TOL, err_msg=col)
    assert_allclose(table["statistic"], ref["statistic"], rtol=1e-6)
    assert_allclose(table["p_value"], ref["p_value"], rtol=1e-6)
    assert df == (29 if label == "ols_cluster" else len(y) - 6)


def test_mixed_matches_nlme(data, grouped, design):
    y, _, levels = grouped
    fit = fit_mixed(design.x, y, design.names, pd.factorize(data["section"])[0])
    ref = load_ref("mixed.csv")
    assert_array_equal(fit.names, ref["term"])
    assert_allclose(fit.beta, ref["estimate"], rtol=0, atol=MIXED_TOL)
    assert_allclose(np.sqrt(np.diag(fit.cov)), ref["se"], rtol=0, atol=MIXED_TOL)
    var = load_ref("mixed_variance.csv").iloc[0]
    assert_allclose([fit.tau2, fit.sigma2, fit.icc], [var["tau2"], var["sigma2"], var["icc"]], rtol=MIXED_TOL)
    assert_allclose(fit.loglik, var["loglik_reml"], rtol=1e-8)
    adj = contrasts(fit.beta, fit.cov, fit.names, by="mode", levels=levels, df=None, confidence=0.95)
    rc = load_ref("mixed_contrasts.csv")
    assert_allclose(adj["difference"], rc["estimate"], rtol=0, atol=MIXED_TOL)
    assert_allclose(adj["se"], rc["se"], rtol=0, atol=MIXED_TOL)


def test_mixed_agrees_with_statsmodels_mixedlm():
    rng = np.random.default_rng(11)
    g = rng.integers(0, 40, size=800)
    x = np.column_stack([np.ones(800), rng.normal(size=800), rng.integers(0, 2, size=800)])
    y = x @ [1.0, 0.3, -0.2] + rng.normal(0, 0.5, 40)[g] + rng.normal(size=800)
    fit = fit_mixed(x, y, ["intercept", "a", "b"], g)
    ref = sm.MixedLM(y, x, groups=g).fit(reml=True)
    assert_allclose(fit.beta, ref.fe_params, atol=1e-5)
    assert_allclose(fit.sigma2, ref.scale, rtol=1e-4)
    assert_allclose(fit.tau2, float(np.asarray(ref.cov_re)[0, 0]), rtol=1e-3)
    assert_allclose(fit.loglik, ref.llf, rtol=1e-7)


def test_mixed_without_cluster_variance_hits_zero():
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(50), 20)
    x = np.column_stack([np.ones(1000), rng.normal(size=1000)])
    y = x @ [2.0, 0.5] + rng.normal(size=1000)
    # remove every between-cluster signal: centre y within clusters
    y = y - pd.Series(y).groupby(g).transform("mean").to_numpy() + 2.0
    fit = fit_mixed(x, y, ["intercept", "x"], g)
    assert fit.tau2 < 1e-6
    assert fit.icc < 1e-6


def test_collinear_covariate_is_a_data_error(data, grouped):
    y, codes, levels = grouped
    frame = data.assign(twice=2 * data["prior_gpa"])
    d = build_design(frame, by="mode", levels=levels, codes=codes, covariates=["prior_gpa", "twice"])
    with pytest.raises(DataValidationError, match="'twice' is constant or collinear"):
        fit_ols(d.x, y, d.names)
    with pytest.raises(DataValidationError, match="'twice'"):
        fit_mixed(d.x, y, d.names, pd.factorize(data["section"])[0])


def test_categorical_covariate_is_dummy_coded(data, grouped):
    _, codes, levels = grouped
    d = build_design(data, by="mode", levels=levels, codes=codes, covariates=["stratum"])
    assert d.names[-2:] == ["stratum[B]", "stratum[C]"]
    assert_array_equal(d.x[:, -1], (data["stratum"] == "C").to_numpy(dtype=float))
