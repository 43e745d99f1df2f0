"""Measurement invariance against lavaan 0.6-14 (group.equal, lavTestLRT, lavTestScore) and the CLI.

Reference values: tests/reference/cfa/make_reference.R (Holzinger-Swineford 1939 by school; simulated
1-5 Likert data in 2 and 3 groups). Tolerances: chi-square 1e-4 relative; CFI, RMSEA, SRMR 1e-4
absolute; score-test statistics 1e-3 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from belonging.cli import main
from belonging.errors import UsageError
from belonging.psychometrics.invariance import invariance

REF = Path(__file__).resolve().parents[1] / "reference" / "cfa"
HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
LK_MODEL = {"f1": ["q1", "q2", "q3", "q4"], "f2": ["q5", "q6", "q7", "q8"]}
DATASETS = {
    "hs": ("holzinger_swineford_1939.csv", HS_MODEL, "school"),
    "likert2": ("likert_two_groups.csv", LK_MODEL, "mode"),
    "likert3": ("likert_three_groups.csv", LK_MODEL, "mode"),
}


@pytest.fixture(scope="module")
def results():
    out = {}
    for name, (file, model, group) in DATASETS.items():
        out[name] = invariance(pd.read_csv(REF / file), model, group=group)
    return out


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_models_match_lavaan(results, name):
    ref = pd.read_csv(REF / "fit_measures.csv").pivot(index="case", columns="measure", values="value")
    models = results[name].models.set_index("model")
    for level in ("configural", "metric", "scalar", "strict"):
        r = ref.loc[f"{name}_{level}"]
        m = models.loc[level]
        assert m["df"] == r["df"]
        assert m["npar"] == r["npar"]
        assert_allclose(m["chisq"], r["chisq"], rtol=1e-4)
        assert_allclose([m["aic"], m["bic"]], [r["aic"], r["bic"]], rtol=1e-6)
        for ours, theirs in (("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr"),
                             ("rmsea_ci_low", "rmsea.ci.lower"), ("rmsea_ci_high", "rmsea.ci.upper")):
            assert_allclose(m[ours], r[theirs], atol=1e-4, rtol=0, err_msg=f"{level} {ours}")


def test_holzinger_swineford_tutorial(results):
    """lavaan tutorial (lavaan.ugent.be/tutorial/groups): 115.851/48, 124.044/54, 164.103/60."""
    m = results["hs"].models.set_index("model")
    assert m.loc["configural", "chisq"].round(3) == 115.851 and m.loc["configural", "df"] == 48
    assert m.loc["metric", "chisq"].round(3) == 124.044 and m.loc["metric", "df"] == 54
    assert m.loc["scalar", "chisq"].round(3) == 164.103 and m.loc["scalar", "df"] == 60


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_comparisons_match_lavtestlrt(results, name):
    ref = pd.read_csv(REF / "comparisons.csv").query("case == @name").set_index("model")
    tests = results[name].tests.set_index("model")
    assert list(tests.index) == ["metric", "scalar", "strict"]
    assert list(tests["compared_with"]) == ["configural", "metric", "scalar"]
    assert_allclose(tests["chisq_diff"], ref.loc[tests.index, "chisq_diff"], rtol=1e-4)
    assert_allclose(tests["df_diff"], ref.loc[tests.index, "df_diff"])
    assert_allclose(tests["p_value"], ref.loc[tests.index, "pvalue"], rtol=1e-3, atol=1e-12)
    models = results[name].models.set_index("model")
    assert_allclose(tests["delta_cfi"], models["cfi"].diff().iloc[1:].to_numpy())


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_partial_hints_match_lavtestscore(results, name):
    ref = pd.read_csv(REF / "score_tests.csv", keep_default_na=False, na_values=["NA"])
    ref = ref[ref["case"].str.startswith(f"{name}_")].assign(model=lambda d: d["case"].str.split("_").str[1])
    ref = ref.rename(columns={"group": "reference_group", "group_other": "group"})
    ours = results[name].partial_hints
    keys = ["model", "lhs", "op", "rhs", "reference_group", "group"]
    merged = ours.merge(ref, on=keys, how="outer", indicator=True, validate="one_to_one")
    assert (merged["_merge"] == "both").all()
    assert_allclose(merged["statistic"], merged["x2"], rtol=1e-3, atol=1e-5)
    assert_allclose(merged["p_value"], merged["pvalue"], rtol=1e-3, atol=1e-6)
    # sorted largest first within each model
    for _, block in ours.groupby("model"):
        assert np.all(np.diff(block["statistic"].to_numpy()) <= 0)


def test_levels_and_verdicts(results):
    hs = results["hs"]
    assert hs.level == "metric"  # delta CFI configural->metric -0.002; metric->scalar -0.038
    assert hs.group == "school" and results["likert2"].group == "mode"  # compare() checks its `by` against it
    assert "Metric invariance supported" in hs.verdict
    assert "Chen 2007" in hs.verdict and "Cheung & Rensvold 2002" in hs.verdict
    assert "x3 ~1" in hs.verdict  # the intercept lavTestScore flags most
    # simulated with equal loadings and thresholds: metric and scalar hold; strict fails on the
    # RMSEA rule (0.000 -> 0.018) because cutting a shifted latent variable changes item variances
    lk2 = results["likert2"]
    assert lk2.level == "scalar"
    assert list(lk2.tests["supported"]) == [True, True, False]
    lk3 = results["likert3"]
    assert lk3.level == "metric"  # q3 intercept shifted in group 'online'
    top = lk3.partial_hints.query("model == 'scalar'").iloc[0]
    assert (top["lhs"], top["op"], top["group"]) == ("q3", "~1", "online")
    assert list(hs.tests["supported"]) == [True, False, True]
    assert "verdict" not in hs.to_frame().columns and "Measurement invariance" in hs.summary()
    assert "<table" in hs._repr_html_()


def test_level_none_and_custom_cutoffs():
    data = pd.read_csv(REF / "holzinger_swineford_1939.csv")
    strict_cut = invariance(data, HS_MODEL, group="school", configural_cfi=0.95)
    assert strict_cut.level == "none" and "configural model fits poorly" in strict_cut.verdict
    lenient = invariance(data, HS_MODEL, group="school", delta_cfi=-0.05, delta_rmsea=0.05)
    assert lenient.level == "strict"


def test_needs_two_groups():
    data = pd.read_csv(REF / "likert_two_groups.csv")
    with pytest.raises(UsageError, match="at least two"):
        invariance(data.query("mode == 'online'"), LK_MODEL, group="mode")
    with pytest.raises(UsageError, match="`group` is required"):
        invariance(data, LK_MODEL, group=None)


# ---- CLI ------------------------------------------------------------------------------------

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


@pytest.fixture
def instrument(tmp_path):
    path = tmp_path / "lk.toml"
    path.write_text(INSTRUMENT_TOML)
    return str(path)


def test_cli_invariance_json(instrument, capsys):
    data = str(REF / "likert_three_groups.csv")
    code = main(["invariance", data, "--instrument", instrument, "--by", "mode", "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    payload = json.loads(out.out)
    assert payload["level"] == "metric"
    assert [m["model"] for m in payload["models"]] == ["configural", "metric", "scalar", "strict"]
    ref = pd.read_csv(REF / "fit_measures.csv").query("case == 'likert3_scalar' and measure == 'chisq'")
    assert_allclose(payload["models"][2]["chisq"], ref["value"].iloc[0], rtol=1e-4)
    assert {"chisq_diff", "df_diff", "delta_cfi", "delta_rmsea"} <= set(payload["tests"][0])
    issue_keys = {"model", "chisq", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr"}
    assert all(issue_keys <= set(m) for m in payload["models"])
    fit = pd.read_csv(REF / "fit_measures.csv").query("case == 'likert3_scalar'").set_index("measure")["value"]
    scalar = payload["models"][2]
    for ours, theirs in (("df", "df"), ("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr")):
        if theirs in fit.index:
            assert_allclose(scalar[ours], fit[theirs], atol=1e-4, err_msg=ours)
    assert "Metric invariance supported" in payload["verdict"]
    assert "750 complete response(s)" in out.err


def test_cli_cfa_csv_to_file(instrument, tmp_path, capsys):
    out_path = tmp_path / "est.csv"
    data = str(REF / "likert_two_groups.csv")
    code = main(["cfa", data, "--instrument", instrument, "--by", "mode", "--format", "csv", "-o", str(out_path)])
    assert code == 0, capsys.readouterr().err
    est = pd.read_csv(out_path)
    assert set(est["group"]) == {"in_person", "online"}
    ref = pd.read_csv(REF / "estimates.csv").query("case == 'likert2_configural' and op == '=~' and rhs == 'q2'")
    # the CSV writer neutralises cells starting with "=" (spreadsheet formulas): "=~" -> "'=~"
    ours = est[(est["rhs"] == "q2") & est["op"].str.endswith("=~")].merge(ref, on="group")
    assert len(ours) == 2
    assert_allclose(ours["estimate"], ours["est"], atol=1e-4)


def test_cli_cfa_table_and_json(instrument, capsys):
    data = str(REF / "likert_two_groups.csv")
    assert main(["cfa", data, "--instrument", instrument]) == 0
    out = capsys.readouterr().out
    assert "== fit ==" in out and "== estimates ==" in out
    assert main(["cfa", data, "--instrument", instrument, "--std-lv", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["fit"]["df"] == 19 and payload["groups"] == ["all"]
    loads = [e for e in payload["estimates"] if e["op"] == "~~" and e["lhs"] == e["rhs"] == "f1"]
    assert loads[0]["estimate"] == 1.0 and loads[0]["se"] is None


def test_cli_invariance_requires_by(instrument, capsys):
    assert main(["invariance", str(REF / "likert_two_groups.csv"), "--instrument", instrument]) == 2
    assert "--by" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["invariance", "{data}", "--instrument", "{inst}", "--by", "nope"], 2, "'nope' is not in the data"),
        (["cfa", "{data}", "--instrument", "{inst}", "--by", "q1"], 2, "is an item of instrument"),
    ],
)
def test_cli_errors(instrument, capsys, argv, code, fragment):
    data = str(REF / "likert_two_groups.csv")
    argv = [a.format(data=data, inst=instrument) for a in argv]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert fragment in err and err.startswith("error:")


def test_just_identified_configural_model_is_not_judged_poor():
    """Three items, one factor: the configural model has 0 df and fits exactly (RMSEA undefined); the
    verdict must not call it a poor fit, and metric invariance is judged against it."""
    rng = np.random.default_rng(5)
    f = rng.normal(size=400)
    data = pd.DataFrame({f"i{j}": 0.8 * f + rng.normal(scale=0.6, size=400) for j in (1, 2, 3)})
    data["g"] = np.repeat(["a", "b"], 200)
    res = invariance(data, {"f": ["i1", "i2", "i3"]}, group="g")
    assert res.models.set_index("model").loc["configural", "df"] == 0
    assert res.level != "none" and "fits poorly" not in res.verdict
    assert "0 degrees of freedom" in res.verdict
    metric = res.tests.set_index("model").loc["metric"]
    assert np.isfinite(metric["delta_rmsea"])
