"""Issue 19, case 2: an outcome constant within every group, beside R's verdict on the same data.

R (tests/reference/diagnostics/make_reference.R, R 4.2.2): ``t.test`` stops with "data are essentially
constant", ``oneway.test`` gives NaN and ``aov`` an F of 6.7e30 (a number from rounding error); the rank
tests answer: ``kruskal.test`` H = 9, ``wilcox.test`` W = 0 for each pair. Tolerance 1e-10 (closed forms).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import belonging as bl
from belonging.cli import main
from belonging.diagnostics import Code
from belonging.errors import DataValidationError, UsageError

REF = Path(__file__).resolve().parents[1] / "reference" / "diagnostics"
DATA = REF / "case2_constant.csv"


def r_number(case, what, key) -> float:
    v = pd.read_csv(REF / "verdicts.csv", dtype=str, keep_default_na=False)
    return float(v.query("case == @case and what == @what and key == @key")["value"].iloc[0])


def r_error(case, what) -> str:
    v = pd.read_csv(REF / "verdicts.csv", dtype=str, keep_default_na=False)
    return v.query("case == @case and what == @what and key == 'error'")["value"].iloc[0]


def test_mean_based_tests_refuse_like_t_test():
    assert r_error("case2", "t.test") == "data are essentially constant"
    with pytest.raises(DataValidationError, match="constant within every group of 'mode' \\(a: 3, b: 4, c: 5\\)") as err:
        bl.compare(pd.read_csv(DATA), outcome="score", by="mode")
    assert "tests='rank'" in str(err.value) and "data are essentially constant" in str(err.value)


def test_rank_tests_answer_as_r_does():
    res = bl.compare(pd.read_csv(DATA), outcome="score", by="mode", tests="rank")
    omni = res.omnibus.set_index("test")
    assert list(omni.index) == ["kruskal_wallis"]
    assert_allclose(omni.loc["kruskal_wallis", "statistic"], r_number("case2", "kruskal.test", "statistic"), rtol=1e-12)
    assert_allclose(omni.loc["kruskal_wallis", "p_value"], r_number("case2", "kruskal.test", "p_value"), rtol=1e-10)
    pw = res.pairwise.set_index(["group_a", "group_b"])
    for a, b in (("a", "b"), ("a", "c"), ("b", "c")):
        assert_allclose(pw.loc[(a, b), "mw_u"], r_number("case2", f"wilcox.test_{a}{b}", "W"), atol=0)
        assert_allclose(pw.loc[(a, b), "mw_p"], r_number("case2", f"wilcox.test_{a}{b}", "p_value"), rtol=1e-10)
    # the mean-based columns are missing, never infinite
    mean_based = ["ci_low", "ci_high", "statistic", "df", "p_value", "p_adjusted", "posthoc_p", "hedges_g"]
    assert pw[mean_based].isna().all().all()
    assert_allclose(pw["difference"], [-1.0, -2.0, -1.0])
    assert [(w.code, w.where) for w in res.warnings] == [(Code.CONSTANT_OUTCOME, "outcome=score")]
    assert res.model is None
    assert "rank-biserial r = -1.000" in res.summary()


def test_one_value_overall_has_no_test():
    """R: kruskal.test gives NaN and t.test stops; we raise whatever the tests asked for."""
    assert np.isnan(r_number("case2_same", "kruskal.test", "statistic"))
    same = pd.DataFrame({"mode": list("aaabbb"), "score": 3.0})
    for tests in ("all", "rank"):
        with pytest.raises(DataValidationError, match="no test can compare the groups"):
            bl.compare(same, outcome="score", by="mode", tests=tests)


def test_a_flat_group_among_others_and_a_flat_pair():
    """Constant within two of three groups: Welch's ANOVA and the flat pair's Welch/g are NaN, not inf."""
    frame = pd.DataFrame({"mode": list("aaabbbccc"), "score": [3, 3, 3, 4, 4, 4, 1, 2, 6.0]})
    res = bl.compare(frame, outcome="score", by="mode")
    assert [w.where for w in res.warnings] == ["group=a", "group=b"]
    assert np.isnan(res.omnibus.set_index("test").loc["welch_anova", "statistic"])
    assert np.isfinite(res.omnibus.set_index("test").loc["anova", "statistic"])
    pw = res.pairwise.set_index(["group_a", "group_b"])
    assert np.isnan(pw.loc[("a", "b"), ["statistic", "hedges_g", "posthoc_p"]].astype(float)).all()
    assert np.isfinite(pw.loc[("a", "c"), ["statistic", "hedges_g", "posthoc_p"]].astype(float)).all()


def test_rank_only_refuses_an_explicit_mean_model():
    with pytest.raises(UsageError, match="mean-based model"):
        bl.compare(pd.read_csv(DATA), outcome="score", by="mode", tests="rank", model="ols")


def test_cli_constant_outcome_is_one_line_exit_1(capsys, tmp_path):
    out = tmp_path / "out.json"
    code = main(["compare", str(DATA), "--outcome", "score", "--by", "mode", "--format", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert err.count("\n") == 1 and err.startswith("error: `outcome`: 'score' is constant within every group")
    assert "--tests rank" in err and "Traceback" not in err


def test_cli_rank_tests_with_the_warning_in_json_and_on_stderr(capsys):
    code = main(["compare", str(DATA), "--outcome", "score", "--by", "mode", "--tests", "rank", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    payload = json.loads(captured.out)
    assert [t["test"] for t in payload["omnibus"]] == ["kruskal_wallis"]
    assert payload["warnings"] == [{
        "code": "constant_outcome", "where": "outcome=score",
        "message": payload["warnings"][0]["message"]}]
    assert captured.err.startswith("warning: 'score' is constant within every group of 'mode'")
    assert captured.err.rstrip().endswith("[constant_outcome; outcome=score]")
