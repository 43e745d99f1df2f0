"""CFA against lavaan 0.6-14 (tests/reference/cfa/make_reference.R) and input handling.

Reference data: lavaan::HolzingerSwineford1939 (Holzinger & Swineford, 1939; shipped with lavaan,
GPL >= 2) and Likert data simulated in the R script. Tolerances: chi-square 1e-4 relative; CFI,
TLI, RMSEA, SRMR and estimates 1e-4 absolute; standard errors 1e-3 relative.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from belonging.errors import DataValidationError, UsageError
from belonging.psychometrics.cfa import _LEVEL_EQUAL, _fit, _prepare, cfa

REF = Path(__file__).resolve().parents[1] / "reference" / "cfa"
HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
LK_MODEL = {"f1": ["q1", "q2", "q3", "q4"], "f2": ["q5", "q6", "q7", "q8"]}
LK1_MODEL = {"all": [f"q{i}" for i in range(1, 9)]}

# case -> (data file, structure, group column, level, std_lv)
CASES = {
    "hs_single": ("holzinger_swineford_1939.csv", HS_MODEL, None, "configural", False),
    "hs_single_stdlv": ("holzinger_swineford_1939.csv", HS_MODEL, None, "configural", True),
    "likert_single_onefactor": ("likert_two_groups.csv", LK1_MODEL, None, "configural", False),
    "hs_metric_stdlv": ("holzinger_swineford_1939.csv", HS_MODEL, "school", "metric", True),
    "hs_scalar_stdlv": ("holzinger_swineford_1939.csv", HS_MODEL, "school", "scalar", True),
}
for _lv in _LEVEL_EQUAL:
    CASES[f"hs_{_lv}"] = ("holzinger_swineford_1939.csv", HS_MODEL, "school", _lv, False)
    CASES[f"likert2_{_lv}"] = ("likert_two_groups.csv", LK_MODEL, "mode", _lv, False)
    CASES[f"likert3_{_lv}"] = ("likert_three_groups.csv", LK_MODEL, "mode", _lv, False)

FIT_MAP = {
    "chisq": "chisq", "df": "df", "p_value": "pvalue", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
    "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper", "srmr": "srmr", "aic": "aic",
    "bic": "bic", "loglik": "logl", "npar": "npar", "n": "ntotal", "baseline_chisq": "baseline.chisq",
    "baseline_df": "baseline.df",
}


def _data(name):
    return pd.read_csv(REF / name)


@functools.cache
def _fit_case(case):
    file, struct, group, level, std_lv = CASES[case]
    prepared = _prepare(_data(file), struct, group=group, reverse=True, estimator="ML", missing="listwise")
    pattern, items, factors, groups, n_excluded, st = prepared
    return _fit(pattern, items, factors, groups, std_lv=std_lv, model=level, n_excluded=n_excluded, struct=st)


@pytest.fixture(scope="module")
def ref_fit():
    return pd.read_csv(REF / "fit_measures.csv").pivot(index="case", columns="measure", values="value")


@pytest.fixture(scope="module")
def ref_est():
    est = pd.read_csv(REF / "estimates.csv", keep_default_na=False, na_values=["NA"])
    est["group"] = est["group"].astype(str)
    return est


def test_reference_cases_all_covered(ref_fit):
    assert set(ref_fit.index) == set(CASES)


def test_holzinger_swineford_tutorial_values():
    """lavaan tutorial: 3-factor HS model chi-square 85.306 on 24 df (lavaan.ugent.be/tutorial/cfa)."""
    res = cfa(_data("holzinger_swineford_1939.csv"), HS_MODEL)
    assert res.fit["df"] == 24
    assert round(res.fit["chisq"], 3) == 85.306
    assert res.converged
    groups = cfa(_data("holzinger_swineford_1939.csv"), HS_MODEL, group="school")
    assert (round(groups.fit["chisq"], 3), groups.fit["df"]) == (115.851, 48)
    assert groups.groups == ("Pasteur", "Grant-White")  # order of appearance, as lavaan


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_measures_match_lavaan(case, ref_fit):
    res = _fit_case(case)
    ref = ref_fit.loc[case]
    assert res.converged
    for key in ("df", "npar", "n", "baseline_df"):
        assert res.fit[key] == int(ref[FIT_MAP[key]]), key
    for key in ("chisq", "aic", "bic", "loglik", "baseline_chisq"):
        assert_allclose(res.fit[key], ref[FIT_MAP[key]], rtol=1e-4, err_msg=key)
    for key in ("cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr", "p_value"):
        assert_allclose(res.fit[key], ref[FIT_MAP[key]], atol=1e-4, rtol=0, err_msg=key)


@pytest.mark.parametrize("case", sorted(CASES))
def test_estimates_match_lavaan(case, ref_est):
    res = _fit_case(case)
    ours = res.estimates.copy()
    ours["group"] = ours["group"].fillna("").astype(str)
    ref = ref_est[ref_est["case"] == case]
    keys = ["group", "lhs", "op", "rhs"]
    merged = ours.merge(ref, on=keys, how="outer", indicator=True, validate="one_to_one")
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys + ["_merge"]]
    assert_allclose(merged["estimate"], merged["est"], atol=1e-4, rtol=0)
    assert_allclose(merged["std_all_x"], merged["std_all_y"], atol=1e-4, rtol=0)
    free = merged["free"].to_numpy(dtype=bool)
    assert_allclose(merged.loc[free, "se_x"], merged.loc[free, "se_y"], rtol=1e-3)
    assert_allclose(merged.loc[free, "z_x"], merged.loc[free, "z_y"], rtol=1e-3)
    assert (merged.loc[~free, "se_y"] == 0).all()  # lavaan's fixed parameters
    assert merged.loc[~free, "se_x"].isna().all()


def test_std_all_matches_lavaan(ref_est):
    res = _fit_case("hs_scalar")
    ours = res.estimates.assign(group=lambda d: d["group"].astype(str))
    ref = ref_est[ref_est["case"] == "hs_scalar"]
    merged = ours.merge(ref, on=["group", "lhs", "op", "rhs"], suffixes=("", "_ref"))
    assert len(merged) == len(ref)
    assert_allclose(merged["std_all"], merged["std_all_ref"], atol=1e-4)


def test_estimates_columns_and_summary():
    res = cfa(_data("holzinger_swineford_1939.csv"), HS_MODEL)
    assert list(res.estimates.columns) == [
        "group", "lhs", "op", "rhs", "estimate", "se", "z", "p_value", "std_all", "free",
    ]
    assert res.estimates["group"].isna().all()
    assert list(res.to_frame()["op"].unique()) == ["=~", "~~", "~1"]
    text = res.summary()
    assert "chi2(24) = 85.306" in text and "CFI = 0.931" in text
    assert "<table" in res._repr_html_()
    assert res.fit_frame().shape == (1, len(res.fit))


def test_listwise_deletion_and_input_not_modified():
    data = _data("likert_two_groups.csv")
    data[["q1", "q5"]] = data[["q1", "q5"]].astype(float)
    data.loc[[3, 10, 40], "q1"] = np.nan
    data.loc[[10, 77], "q5"] = np.nan
    data.loc[5, "mode"] = None
    before = data.copy()
    res = cfa(data, LK_MODEL, group="mode")
    pd.testing.assert_frame_equal(data, before)
    assert res.n_excluded == 5
    complete = data.dropna()
    direct = cfa(complete, LK_MODEL, group="mode")
    assert res.n_per_group == direct.n_per_group
    assert_allclose(res.fit["chisq"], direct.fit["chisq"], rtol=1e-10)


def test_sufficient_statistics_duplicated_rows():
    """Doubling every row doubles n and chi-square and leaves the estimates unchanged."""
    data = _data("likert_two_groups.csv")
    one = cfa(data, LK1_MODEL)
    two = cfa(pd.concat([data, data], ignore_index=True), LK1_MODEL)
    assert two.fit["n"] == 2 * one.fit["n"]
    assert_allclose(two.fit["chisq"], 2 * one.fit["chisq"], rtol=1e-6)
    assert_allclose(two.estimates["estimate"], one.estimates["estimate"], atol=1e-6)
    free = one.estimates["free"]
    assert_allclose(two.estimates.loc[free, "se"], one.estimates.loc[free, "se"] / np.sqrt(2), rtol=1e-5)


def test_instrument_structure_and_reverse_keying(tmp_path):
    from belonging.instruments import load_instrument

    path = tmp_path / "lk.toml"
    path.write_text(INSTRUMENT_TOML.replace('id = "q2"\nsubscale', 'id = "q2"\nreverse = true\nsubscale'))
    inst = load_instrument(str(path))
    assert inst.reverse_items == ("q2",)
    data = _data("likert_two_groups.csv")
    raw = data.assign(q2=6 - data["q2"])  # as answered: q2 reverse keyed
    res = cfa(raw, inst, group="mode")
    direct = cfa(data, LK_MODEL, group="mode")
    assert_allclose(res.fit["chisq"], direct.fit["chisq"], rtol=1e-8)
    assert_allclose(res.estimates["estimate"], direct.estimates["estimate"], atol=1e-6)
    by_path = cfa(raw, path, group="mode")  # a TOML path (or a built-in id) loads the instrument
    assert_allclose(by_path.fit["chisq"], res.fit["chisq"], rtol=1e-12)
    from belonging.psychometrics.invariance import invariance

    assert_allclose(invariance(raw, str(path), group="mode").models["chisq"], invariance(raw, inst, group="mode").models["chisq"], rtol=1e-12)
    not_reversed = cfa(raw, inst, group="mode", reverse=False)
    loading = not_reversed.estimates.query("op == '=~' and rhs == 'q2'")["estimate"]
    assert (loading < 0).all()


def test_single_factor_instrument_named_after_instrument(tmp_path):
    from belonging.instruments import load_instrument

    text = INSTRUMENT_TOML.split("[subscales.f1]")[0] + "".join(
        f'[[items]]\nid = "q{i}"\n' for i in range(1, 9)
    )
    path = tmp_path / "one.toml"
    path.write_text(text)
    res = cfa(_data("likert_two_groups.csv"), load_instrument(str(path)))
    assert set(res.estimates.query("op == '=~'")["lhs"]) == {"lk"}
    ref = pd.read_csv(REF / "fit_measures.csv").query("case == 'likert_single_onefactor' and measure == 'chisq'")
    assert_allclose(res.fit["chisq"], ref["value"].iloc[0], rtol=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"estimator": "MLR"}, UsageError, "`estimator` must be one of"),
        ({"missing": "fiml"}, UsageError, "`missing` must be one of"),
        ({"group": "nope"}, UsageError, "'nope' is not in the data"),
    ],
)
def test_argument_errors(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        cfa(_data("likert_two_groups.csv"), LK_MODEL, **kwargs)


@pytest.mark.parametrize(
    ("structure", "fragment"),
    [
        ({"f1": ["q1", "q2", "q11"]}, "did you mean 'q1'"),
        ({"f1": []}, "has no items"),
        ({"f1": ["q1", "q2"]}, "at least 3 items"),
        (["q1"], "must be an Instrument, a built-in id, a TOML path or a non-empty dict"),
    ],
)
def test_structure_errors(structure, fragment):
    with pytest.raises(UsageError, match=fragment):
        cfa(_data("likert_two_groups.csv"), structure)


def test_data_errors():
    data = _data("likert_two_groups.csv")
    with pytest.raises(DataValidationError, match="'q3' has no variance in group 'online'"):
        cfa(data.assign(q3=np.where(data["mode"] == "online", 3, data["q3"])), LK_MODEL, group="mode")
    with pytest.raises(DataValidationError, match="only 5 complete response"):
        cfa(data.head(5), LK_MODEL)
    with pytest.raises(DataValidationError, match="singular"):
        cfa(data.assign(q4=data["q1"] + data["q2"]), LK_MODEL)
    with pytest.raises(DataValidationError, match="not numeric"):
        cfa(data.assign(q1=data["q1"].map(str) + "x"), LK_MODEL)


INSTRUMENT_TOML = """id = "lk"
name = "Simulated Likert test instrument"
version = "1"
citation = "Simulated data (tests/reference/cfa/make_reference.R)."
construct = "belonging"

[response_scale]
min = 1
max = 5
labels = ["1", "2", "3", "4", "5"]

[scoring]
method = "mean"
min_answered = 0.8

[subscales.f1]
name = "Factor one"

[subscales.f2]
name = "Factor two"

""" + "".join(f'[[items]]\nid = "q{i}"\nsubscale = "f{1 if i <= 4 else 2}"\n' for i in range(1, 9))
