"""belonging.compare(): wiring of the tables, options, warnings, errors and the result object."""

import numpy as np
import pandas as pd
import pytest
from conftest import load_ref
from numpy.testing import assert_allclose, assert_array_equal

import belonging as bl
from belonging.errors import DataValidationError, UsageError
from belonging.groups import CompareResult, compare, favourable_midpoint


class Inv:
    def __init__(self, level, group=None):
        self.level = level
        self.group = group


def test_compare_plain(data):
    res = compare(data, outcome="belonging", by="mode", midpoint=3)
    assert isinstance(res, CompareResult)
    ref = load_ref("descriptives.csv")
    assert_allclose(res.to_frame()["mean"], ref["mean"], atol=1e-12)
    assert res.model is None and res.icc is None and res.model_kind is None
    assert list(res.tables()) == ["descriptives", "overall", "omnibus", "pairwise"]
    assert res.warnings == ()
    # every comparison has an effect size with a CI and its n
    assert res.pairwise[["hedges_g", "g_ci_low", "g_ci_high", "n_a", "n_b"]].notna().all().all()
    assert res.omnibus[["effect_size", "es_ci_low", "es_ci_high", "n"]].notna().all().all()


def test_compare_auto_model_choice(data):
    mixed = compare(data, outcome="belonging", by="mode", cluster="section")
    assert mixed.model_kind == "mixed"
    var = load_ref("mixed_variance.csv").iloc[0]
    # without covariates: not the reference model, but a valid ICC
    assert 0 < mixed.icc < 1
    ols = compare(data, outcome="belonging", by="mode", covariates=["first_gen", "prior_gpa"])
    assert ols.model_kind == "ols"
    ref = load_ref("ols.csv").query("model == 'ols_hc3'")
    assert_allclose(ols.model["estimate"], ref["estimate"], atol=1e-10)
    full = compare(data, outcome="belonging", by="mode", covariates=["first_gen", "prior_gpa"], cluster="section")
    assert_allclose(full.icc, var["icc"], rtol=1e-4)
    assert_allclose(full.adjusted["difference"], load_ref("mixed_contrasts.csv")["estimate"], atol=1e-4)
    forced = compare(data, outcome="belonging", by="mode", cluster="section", model="ols",
                     covariates=["first_gen", "prior_gpa"])
    assert_allclose(forced.model["se"], load_ref("ols.csv").query("model == 'ols_cluster'")["se"], atol=1e-10)


def test_compare_weighted_descriptives_are_design_based(data):
    res = compare(data, outcome="belonging", by="mode", weights="weight", strata="stratum", cluster="section",
                  midpoint=3)
    ref = load_ref("survey.csv").query("design == 'strata_clusters'")
    got = pd.concat([res.overall, res.descriptives])
    assert_allclose(got["se"], ref["se"], rtol=1e-4)
    fav = load_ref("survey_favourable.csv").query("design == 'strata_clusters'")
    assert_allclose(got["percent_favourable"], 100 * fav["proportion"], atol=1e-8)
    assert res.sample_descriptives is not None and res.weighted_pairwise is not None
    assert res.model_kind == "ols"  # clusters with weights: cluster-robust OLS, not random intercepts
    assert any("design-based" in n for n in res.notes)


@pytest.mark.parametrize(("level", "warned"), [("none", True), ("configural", True), ("metric", True),
                                                ("scalar", False), ("strict", False)])
def test_invariance_warning(data, level, warned):
    res = compare(data, outcome="belonging", by="mode", invariance=Inv(level))
    assert bool(res.warnings) is warned
    if warned:
        assert res.warnings[0].code == "noninvariant" and res.warnings[0].where == "by=mode"
        assert "may not be comparable" in res.warnings[0].message
        assert "WARNING: scalar measurement invariance" in res.summary()
        assert "belonging-warning" in res._repr_html_()
        assert "may not be comparable" in res._repr_html_()


def test_invariance_level_checked(data):
    with pytest.raises(UsageError, match="`invariance` must have a .level"):
        compare(data, outcome="belonging", by="mode", invariance=Inv("partial"))


def test_invariance_of_another_grouping_is_refused(data):
    """A result fitted across another column says nothing about this comparison's groups."""
    with pytest.raises(UsageError, match="fitted across 'stratum' but the comparison is by 'mode'"):
        compare(data, outcome="belonging", by="mode", invariance=Inv("metric", group="stratum"))
    res = compare(data, outcome="belonging", by="mode", invariance=Inv("metric", group="mode"))
    assert "may not be comparable" in res.warnings[0].message


def test_waves_and_latest_wave(waves_data):
    res = compare(waves_data, outcome="belonging", by="mode", wave="wave")
    assert res.waves is not None and res.wave_model is not None
    assert (res.wave_descriptives["wave"].unique() == [1, 2]).all()
    latest = waves_data.query("wave == 2")
    assert res.overall["n"].iloc[0] == len(latest)
    assert any("latest wave" in n for n in res.notes)
    assert_allclose(res.wave_variance["icc"], load_ref("waves_variance.csv")["icc"].iloc[0], rtol=1e-4)


def test_participation_through_compare(data):
    res = compare(data, outcome="belonging", by="mode", participation=["forum_posts", "breakout_sessions", "live_hours"],
                  covariates=["first_gen", "prior_gpa"], model="none")
    assert_allclose(res.participation["beta"], load_ref("participation.csv")["beta"], atol=1e-10)
    assert res.model is None


def test_missing_rows_dropped_and_counted(data):
    frame = data.copy()
    frame.loc[:4, "belonging"] = np.nan
    frame.loc[5, "mode"] = None
    res = compare(frame, outcome="belonging", by="mode")
    assert res.overall["n"].iloc[0] == len(data) - 6
    assert any(n.startswith("6 row(s)") for n in res.notes)
    with pytest.raises(DataValidationError, match="row 1: column 'belonging' is missing"):
        compare(frame, outcome="belonging", by="mode", nan_policy="raise")


def test_small_group_left_out_of_tests_with_warning(data):
    frame = pd.concat([data, data.iloc[[0]].assign(mode="tiny")], ignore_index=True)
    res = compare(frame, outcome="belonging", by="mode")
    assert "tiny" in list(res.descriptives["group"])
    assert "tiny" not in set(res.pairwise["group_a"]) | set(res.pairwise["group_b"])
    assert [(w.code, w.where) for w in res.warnings] == [("small_group", "group=tiny")]
    assert "'tiny'" in res.warnings[0].message


def test_categorical_order_sets_reference(data):
    order = ["in_person", "hybrid", "online_sync", "online_async"]
    frame = data.assign(mode=pd.Categorical(data["mode"], categories=order))
    res = compare(frame, outcome="belonging", by="mode", covariates=["prior_gpa"])
    assert_array_equal(res.descriptives["group"], order)
    assert res.model["term"].iloc[1] == "mode[hybrid]"


@pytest.mark.parametrize(("kwargs", "exc", "fragment"), [
    ({"model": "glm"}, UsageError, "`model` must be one of"),
    ({"correction": "fdr"}, UsageError, "`correction` must be one of"),
    ({"confidence": 1.0}, UsageError, "`confidence` must lie in"),
    ({"model": "mixed"}, UsageError, "needs `cluster`"),
    ({"strata": "stratum"}, UsageError, "`strata` needs `weights`"),
    ({"by": "mdoe"}, UsageError, "did you mean 'mode'"),
    ({"outcome": "mode"}, DataValidationError, "is not numeric"),
    ({"weights": "first_gen"}, DataValidationError, "non-positive weight"),
])
def test_errors(data, kwargs, exc, fragment):
    args = {"outcome": "belonging", "by": "mode", **kwargs}
    with pytest.raises(exc, match=fragment):
        compare(data, **args)


def test_one_group_is_an_error(data):
    with pytest.raises(DataValidationError, match="at least two groups"):
        compare(data.assign(mode="all"), outcome="belonging", by="mode")


def test_result_is_frozen_and_renders(data):
    res = compare(data, outcome="belonging", by="mode", covariates=["prior_gpa"], midpoint=3)
    with pytest.raises(AttributeError):
        res.outcome = "x"
    text = res.summary()
    assert "hybrid - in_person" in text and "g = " in text and "favourable" in text
    assert str(res) == text
    html = res._repr_html_()
    assert html.count("<table") == len(res.tables())
    assert_array_equal(res.to_frame("pairwise")["difference"], res.pairwise["difference"])
    with pytest.raises(UsageError, match="was not computed"):
        res.to_frame("waves")
    with pytest.raises(UsageError, match="`table` must be one of"):
        res.to_frame("nope")


def test_midpoint_from_instrument():
    pssm = bl.load_instrument("pssm")  # 18 items, 1-5, sum score
    assert favourable_midpoint(pssm) == 3 * 18
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"pssm": rng.integers(18, 91, size=200).astype(float),
                          "mode": rng.choice(["a", "b"], size=200)})
    res = compare(frame, outcome="pssm", by="mode", instrument="pssm")
    assert res.overall["n_favourable"].iloc[0] == int((frame["pssm"] > 54).sum())


def test_public_api_exports(data):
    # belonging.compare is the public function of the belonging.groups package
    res = bl.compare(data, outcome="belonging", by="mode")
    assert_allclose(res.overall["mean"], compare(data, outcome="belonging", by="mode").overall["mean"])
    assert bl.CompareResult is CompareResult
    assert callable(bl.participation)


def test_group_without_spread_warns(data):
    frame = pd.concat([data, pd.DataFrame({"belonging": [3.0] * 5, "mode": ["flat"] * 5})], ignore_index=True)
    res = compare(frame, outcome="belonging", by="mode")
    assert [(w.code, w.where) for w in res.warnings] == [("constant_outcome", "group=flat")]
    assert "constant within group 'flat'" in res.warnings[0].message
    assert np.isnan(res.omnibus.set_index("test").loc["welch_anova", "statistic"])
    assert np.isfinite(res.omnibus.set_index("test").loc["anova", "statistic"])


@pytest.mark.parametrize("model", ["ols", "mixed"])
def test_adjusted_differences_carry_the_model_n(data, model):
    """Every adjusted comparison reports the n behind it: rows per group in the model (complete covariates)."""
    df = data.copy()
    df.loc[df.index[:7], "prior_gpa"] = np.nan  # rows the model must leave out
    res = compare(df, outcome="belonging", by="mode", covariates=["prior_gpa"], cluster="section", model=model)
    used = df.dropna(subset=["belonging", "prior_gpa", "section"])
    counts = used["mode"].value_counts()
    for _, row in res.adjusted.iterrows():
        assert row["n_a"] == counts[row["group_a"]] and row["n_b"] == counts[row["group_b"]]
    assert (res.model["n"] == len(used)).all()
